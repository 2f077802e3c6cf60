"""The one HTTP client checks that a body is what was asked for (csv, xlsx, xls, json)."""

import pytest

from extract.errors import FetchError
from extract.http.client import check_body_kind

URL = "http://127.0.0.1:9/file"
HTML = b"<!DOCTYPE html><html><body><h1>Request Rejected</h1></body></html>"


@pytest.mark.parametrize(("expect", "body"), [
    ("csv", "\ufeffจังหวัด,จำนวน\r\nสตูล,1\r\n".encode()),
    ("csv", "จังหวัด,จำนวน\nสตูล,1\n".encode("cp874")),
    ("xlsx", b"PK\x03\x04rest-of-zip"),
    ("xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"),
    ("xls", b"<html><meta charset=windows-874><table><tr><td>1</td></tr></table></html>"),
    ("json", b'{"success": true}'),
    ("json_array", b"[]"),
])
def test_good_bodies_pass(expect, body):
    check_body_kind("demo", URL, body, expect)


@pytest.mark.parametrize(("expect", "body", "problem"), [
    ("csv", HTML, "HTML page instead of the data"),
    ("csv", b"\x00\x01\x02binary", "not UTF-8 or cp874 text"),
    ("xlsx", HTML, "HTML page"),
    ("xlsx", b"a,b\n1,2\n", "expected an xlsx"),
    ("xls", HTML, "HTML page"),
    ("xls", b"a,b\n", "expected an .xls"),
    ("json", b"{not json", "expected JSON"),
    ("json_array", b'{"error": 1}', "expected a JSON array"),
    ("csv", b"  \n", "empty body"),
])
def test_wrong_bodies_are_refused_with_the_url(expect, body, problem):
    with pytest.raises(FetchError, match=rf"demo: .*{problem}.*url http://127\.0\.0\.1:9/file"):
        check_body_kind("demo", URL, body, expect)
