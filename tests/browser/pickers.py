def pick(page, selector: str, text: str) -> None:
    """Type into a search-as-you-type picker and choose the first option that shows `text`."""
    box = page.locator(selector)
    box.click()
    box.fill(text)
    option = page.locator(".picker-option:visible", has_text=text).first
    option.wait_for()
    option.click()
