from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from pmis.lists import keyword_filter

from .models import Article

SEARCH_FIELDS = ("number", "title", "problem", "solution", "versions")


def articles_visible(user) -> QuerySet[Article]:
    """Every signed-in member of staff may read the knowledge base (it is how problems get solved)."""
    if not user.is_authenticated:
        return Article.objects.none()
    return Article.objects.all()


def articles_matching(user, keyword: str) -> QuerySet[Article]:
    return keyword_filter(articles_visible(user), SEARCH_FIELDS, keyword)


def _pieces(text: str) -> list[str]:
    """Words of a typed title: each run of Latin letters or digits, and every two-character piece
    of a Chinese run (Chinese has no spaces; two characters are the usual word)."""
    pieces, run, latin = [], "", ""
    for char in text:
        if char.isascii() and char.isalnum():
            latin += char
            if len(run) >= 2:
                pieces += [run[i : i + 2] for i in range(len(run) - 1)]
            run = ""
        elif char.isalnum():
            run += char
            if len(latin) >= 2:
                pieces.append(latin)
            latin = ""
        else:
            if len(run) >= 2:
                pieces += [run[i : i + 2] for i in range(len(run) - 1)]
            if len(latin) >= 2:
                pieces.append(latin)
            run, latin = "", ""
    if len(run) >= 2:
        pieces += [run[i : i + 2] for i in range(len(run) - 1)]
    if len(latin) >= 2:
        pieces.append(latin)
    return list(dict.fromkeys(pieces))[:20]


def similar_articles(user, text: str, *, limit: int = 5) -> list[Article]:
    """Articles sharing most words with what is being typed (a ticket's title): the title counts
    twice, the problem once. One query."""
    pieces = _pieces(text or "")
    if not pieces:
        return []
    match = Q()
    score = Value(0)
    for piece in pieces:
        match |= Q(title__icontains=piece) | Q(problem__icontains=piece)
        score = score + Case(When(title__icontains=piece, then=Value(2)), default=Value(0), output_field=IntegerField())
        score = score + Case(
            When(problem__icontains=piece, then=Value(1)), default=Value(0), output_field=IntegerField()
        )
    return list(articles_visible(user).filter(match).annotate(score=score).order_by("-score", "-created_at")[:limit])
