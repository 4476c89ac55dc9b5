def register_tabs() -> None:
    pass
