"""Discovery of every API route and every browser (HTML) route, for the harnesses that
must cover all of them."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

API_PREFIX = "api/"
# Open311 GeoReport v2 answers outside /api/; its named routes carry the format suffix.
OPEN311_PREFIX = "open311/"
# Not browser pages of ours: the API (above), and Django's own admin and set_language.
NOT_HTML_PREFIXES = (API_PREFIX, OPEN311_PREFIX, "admin/", "i18n/")
# Methods a browser route may answer (HEAD mirrors GET, OPTIONS and TRACE are Django's).
HTML_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    methods: tuple[str, ...]

    @property
    def is_list(self) -> bool:
        return self.name.endswith("-list")

    @property
    def needs_pk(self) -> bool:
        return "<pk>" in self.pattern or "(?P<pk>" in self.pattern


def _walk(patterns, prefix: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _walk_named(patterns, prefix: str = "", namespace: str = ""):
    """(pattern, entry, name with its namespaces: "incidents:ticket") of every URLPattern."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk_named(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + str(entry.pattern), entry, namespace + entry.name


def _declared_methods(view) -> tuple[str, ...] | None:
    """The methods a function view's ``require_http_methods`` family allows (read from the
    decorator's closure, through every ``functools.wraps`` layer), or None if none does."""
    while view is not None:
        for cell in view.__closure__ or ():
            try:
                value = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            if (
                isinstance(value, list | tuple)
                and value
                and all(isinstance(m, str) and m.isupper() for m in value)
            ):
                return tuple(value)
        view = getattr(view, "__wrapped__", None)
    return None


def _html_methods(callback) -> tuple[str, ...]:
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        answered = {m.upper() for m in view_class.http_method_names if hasattr(view_class, m)}
    else:
        declared = _declared_methods(callback)
        # A view without a method restriction answers whatever comes: a browser sends GET
        # and POST, so those two stand for it.
        answered = set(declared) if declared is not None else {"GET", "POST"}
    return tuple(m for m in HTML_METHODS if m in answered)


def html_routes() -> list[Route]:
    """Every named browser route (outside /api/, /open311/, /admin/ and /i18n/: Django's
    admin and set_language are Django's own) by its namespaced name, with the methods its
    view answers."""
    routes: dict[str, Route] = {}
    for pattern, entry, name in _walk_named(get_resolver().url_patterns):
        bare = pattern.lstrip("^")
        if bare.startswith(NOT_HTML_PREFIXES):
            continue
        routes[name] = Route(name=name, pattern=bare, methods=_html_methods(entry.callback))
    return sorted(routes.values(), key=lambda route: route.name)


def api_routes() -> list[Route]:
    """Every named route under /api/ and /open311/ with the HTTP methods it answers
    (OPTIONS excluded)."""
    routes: dict[str, Route] = {}
    for pattern, entry in _walk(get_resolver().url_patterns):
        open311 = pattern.lstrip("^").startswith(OPEN311_PREFIX)
        if not (pattern.lstrip("^").startswith(API_PREFIX) or open311) or not entry.name:
            continue
        if "format" in pattern and not open311:  # DRF's suffix duplicates (…\.(?P<format>…)
            continue
        actions = getattr(entry.callback, "actions", None)
        if actions:
            methods = tuple(sorted(m.upper() for m in actions if m != "options"))
        else:
            view_class = getattr(entry.callback, "view_class", None) or getattr(
                entry.callback, "cls", None
            )
            methods = tuple(
                sorted(
                    m.upper()
                    for m in getattr(view_class, "http_method_names", ["get"])
                    if m not in ("options", "head", "trace") and hasattr(view_class, m)
                )
            )
        routes[entry.name] = Route(name=entry.name, pattern=pattern, methods=methods)
    return sorted(routes.values(), key=lambda route: route.name)


def route_url(route: Route, pk: int | None = None, extra: dict | None = None) -> str:
    """A concrete URL for ``route`` (pk and any other named group filled in from
    ``extra``), resolved through reverse()."""
    from django.urls import reverse

    kwargs = {"pk": pk} if route.needs_pk else {}
    kwargs |= {
        name: value for name, value in (extra or {}).items() if f"(?P<{name}>" in route.pattern
    }
    return reverse(route.name, kwargs=kwargs or None)
