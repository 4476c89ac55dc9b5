FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir .
# the PDF font subset (pmis/documents/fonts.py), made once here rather than by the first request
RUN python -c "from pathlib import Path; from pmis.documents.fonts import build_all; build_all(Path('/app/var/fonts'))"
RUN useradd --create-home pmis && mkdir -p /data/media /app/var && chown -R pmis /data /app/var
USER pmis
EXPOSE 8000
