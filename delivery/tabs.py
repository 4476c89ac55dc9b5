def register_tabs():
    pass
