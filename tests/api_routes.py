"""Discovery of every API route, for the harnesses that must cover all of them."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

API_PREFIX = "api/"
# Open311 GeoReport v2 answers outside /api/; its named routes carry the format suffix.
OPEN311_PREFIX = "open311/"


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
