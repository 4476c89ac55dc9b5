"""A chart as data: categories and series, turned into the spec static/js/dashboards.js draws
with ECharts, and into the table shown when there is no script (and on demand, for reading)."""

from dataclasses import dataclass, field


@dataclass
class Series:
    name: str
    values: list
    links: list | None = None  # per point: the list this figure counts
    texts: list | None = None  # per point: the label printed on the bar
    stack: str | None = None


@dataclass
class Chart:
    id: str
    title: str
    categories: list[str]
    series: list[Series]
    kind: str = "bar"  # bar | line
    percent: bool = False  # values are rates (0–100)
    unit: str = ""
    extra_columns: list[dict] = field(default_factory=list)  # {"name", "cells": [(text, link)]}

    @property
    def spec_id(self) -> str:
        return f"{self.id}-spec"

    def _text(self, series: Series, i: int) -> str:
        if series.texts is not None and series.texts[i] is not None:
            return series.texts[i]
        value = series.values[i]
        if value is None:
            return "—"
        if self.percent:
            return f"{value:.1f}%"
        return f"{value}{self.unit}"

    @property
    def spec(self) -> dict:
        return {
            "kind": self.kind,
            "title": self.title,
            "percent": self.percent,
            "unit": self.unit,
            "categories": self.categories,
            "series": [
                {
                    "name": s.name,
                    "stack": s.stack,
                    "data": [
                        {
                            "value": value,
                            "link": s.links[i] if s.links else None,
                            "text": self._text(s, i) if value else "",
                        }
                        for i, value in enumerate(s.values)
                    ],
                }
                for s in self.series
            ],
        }

    @property
    def is_empty(self) -> bool:
        """Nothing to draw: no value at all, or (for counts) only zeros. A rate of 0 % is shown."""
        values = [v for s in self.series for v in s.values if v is not None]
        return not values or (not self.percent and not any(values))

    @property
    def header(self) -> list[str]:
        return [s.name for s in self.series] + [c["name"] for c in self.extra_columns]

    @property
    def rows(self) -> list[dict]:
        rows = []
        for i, category in enumerate(self.categories):
            cells = [
                {"text": self._text(s, i), "link": s.links[i] if s.links and s.values[i] else None} for s in self.series
            ]
            cells += [{"text": c["cells"][i][0], "link": c["cells"][i][1]} for c in self.extra_columns]
            rows.append({"label": category, "cells": cells})
        return rows
