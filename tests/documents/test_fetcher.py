"""Rendering never reaches the network: remote URLs are refused."""

import socket

import pytest

from documents.rendering import LocalOnlyURLFetcher, RemoteURLRefused, html_to_pdf
from tests.documents.helpers import pdf_text


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/logo.png",
        "http://127.0.0.1:6379/",
        "ftp://example.org/x.css",
        "file:///etc/passwd",
        "//example.org/font.woff",
    ],
)
def test_remote_and_foreign_urls_are_refused(url):
    fetcher = LocalOnlyURLFetcher()
    with pytest.raises(RemoteURLRefused):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_data_uris_are_allowed():
    response = LocalOnlyURLFetcher().fetch("data:text/plain;base64,Qm9uam91cg==")
    assert response is not None


def test_a_document_pointing_at_remote_resources_renders_without_any_connection(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the renderer tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    fetcher = LocalOnlyURLFetcher()
    html = (
        '<html lang="fr"><head><link rel="stylesheet" href="https://cdn.example.org/x.css">'
        '<style>@import url("http://example.org/y.css");</style></head>'
        '<body><p>Madame Dupont</p><img src="https://tracker.example.org/p.png?patient=Dupont">'
        "</body></html>"
    )
    pdf = html_to_pdf(html, fetcher=fetcher)
    assert "Madame Dupont" in pdf_text(pdf)
    assert sorted(fetcher.refused) == sorted([
        "https://cdn.example.org/x.css",
        "http://example.org/y.css",
        "https://tracker.example.org/p.png?patient=Dupont",
    ])
