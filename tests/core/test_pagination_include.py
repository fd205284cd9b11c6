"""The shared pager (`core/_pagination.html`): its links change the page and keep every
other query parameter as sent (a search, a filter given twice)."""

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory


def _pager(query: str, **context) -> str:
    request = RequestFactory().get("/liste/" + query)
    page = Paginator(range(100), 10).page(int(request.GET.get("page", 1)))
    return render_to_string("core/_pagination.html", {"page": page, **context}, request=request)


def test_links_keep_the_search_and_a_repeated_filter():
    html = _pager("?q=dupont&statut=validee&statut=payee&page=2")
    assert 'href="?q=dupont&amp;statut=validee&amp;statut=payee&amp;page=1"' in html
    assert 'href="?q=dupont&amp;statut=validee&amp;statut=payee&amp;page=3"' in html
    assert "Page 2 / 10" in html


def test_first_and_last_pages_have_one_link_each():
    first, last = _pager(""), _pager("?page=10")
    assert 'href="?page=2"' in first and "Précédente" not in first
    assert 'href="?page=9"' in last and "Suivante" not in last


def test_a_parameter_is_encoded_in_the_link():
    html = _pager("?q=l%27%C3%A9t%C3%A9+%26+co&page=2")
    assert 'href="?q=l%27%C3%A9t%C3%A9+%26+co&amp;page=3"' in html


def test_link_words_and_the_lighter_look():
    html = _pager("?page=2", previous_label="Précédents", next_label="Suivants",
                  pager_style="actions", pager_no_count=True)
    assert 'class="actions"' in html and "Précédents" in html and "Suivants" in html
    assert "page 2 / 10" not in html.lower()


def test_a_single_page_shows_no_pager():
    request = RequestFactory().get("/liste/")
    page = Paginator(range(5), 10).page(1)
    html = render_to_string("core/_pagination.html", {"page": page}, request=request)
    assert "<nav" not in html
