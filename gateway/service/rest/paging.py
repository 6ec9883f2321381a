"""Collections the Belgif way: ``items``, ``total``, ``page``/``pageSize`` and links.

Every list the API returns (the outbox, inbound records, career breaks, the proactive VOK list)
is a page of a collection::

    {"self": "https://host/v1/outbox?page=2&pageSize=50", "items": [...], "total": 120,
     "page": 2, "pageSize": 50, "first": "...page=1...", "last": "...page=3...",
     "prev": "...page=1...", "next": "...page=3..."}

Pages are numbered from 1 (Belgif's ``page`` query parameter); ``prev`` and ``next`` are left
out on the first and the last page. The links keep the request's other query parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query, Request
from pydantic import BaseModel, Field

from gateway.service.rest.links import href
from gateway.service.rest.resources import OUT_CONFIG

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True, slots=True)
class Paging:
    page: int
    page_size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    def of(self, items: Sequence[T]) -> list[T]:
        """This page of an in-memory sequence."""
        return list(items[self.offset : self.offset + self.page_size])


def paging(
    page: Annotated[int, Query(ge=1, le=1_000_000, description="page number, from 1")] = 1,
    page_size: Annotated[
        int,
        Query(
            alias="pageSize",
            ge=1,
            le=MAX_PAGE_SIZE,
            description=f"items per page (at most {MAX_PAGE_SIZE})",
        ),
    ] = DEFAULT_PAGE_SIZE,
) -> Paging:
    """The ``page`` and ``pageSize`` query parameters (a FastAPI dependency)."""
    return Paging(page, page_size)


class Page(BaseModel, Generic[T]):
    """A page of a collection (Belgif collection response)."""

    model_config = OUT_CONFIG

    self_: str = Field(alias="self", description="this page")
    items: list[T]
    total: int = Field(ge=0, description="items in the whole collection")
    page: int = Field(ge=1)
    page_size: int = Field(ge=1)
    first: str = Field(description="the first page")
    last: str = Field(description="the last page")
    prev: str | None = Field(default=None, description="the previous page, if any")
    next: str | None = Field(default=None, description="the next page, if any")


def links(request: Request, paged: Paging, total: int) -> dict[str, Any]:
    """``self``, ``first``, ``last``, ``prev`` and ``next`` for ``paged`` of ``total`` items."""
    last = max(1, -(-total // paged.page_size))

    def at(number: int) -> str:
        url = request.url.include_query_params(page=number, pageSize=paged.page_size)
        return href(request, url.path + (f"?{url.query}" if url.query else ""))

    out: dict[str, Any] = {
        "self": at(paged.page),
        "total": total,
        "page": paged.page,
        "page_size": paged.page_size,
        "first": at(1),
        "last": at(last),
    }
    if paged.page > 1:
        out["prev"] = at(min(paged.page - 1, last))
    if paged.page < last:
        out["next"] = at(paged.page + 1)
    return out


__all__ = ["DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE", "Page", "Paging", "links", "paging"]
