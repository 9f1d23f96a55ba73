"""Who is asking, through a real server (``python -m webapp``): single sign-on headers in Chinese (raw UTF-8,
percent-encoded, RFC 8187), proxies seen through IPv4-mapped addresses, and a tokens file that cannot be read."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from tests.conftest import CORPUS, ROOT, build_index, write_jsonl
from tests.serving import free_port, running_server
from webapp.identity import header_text
from webapp.tokens import TokenStore

SECRET = [{"id": f"office{n}", "title": f"办公室内部通报第{n}号", "body": "仅限办公室。（区政府办公室）"} for n in range(2)]
ENV = {"JIANBAO_TRUSTED_PROXIES": "127.0.0.1", "JIANBAO_PROCESSES": "1", "JIANBAO_ADMIN_GROUPS": "管理员 jianbao-admin",
       "JIANBAO_UPLOADER_GROUPS": "上传员"}


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> tuple[Path, Path]:
    """(archive, index): the seeds (public) and two items of the group 办公室."""
    root = tmp_path_factory.mktemp("identity")
    archive = root / "archive"
    shutil.copytree(CORPUS, archive)
    (archive / "internal").mkdir()
    (archive / "internal" / "_access.json").write_text('{"access": ["办公室"]}', encoding="utf-8")
    write_jsonl(archive / "internal" / "office.jsonl", SECRET)
    return archive, build_index([archive], root / "index")


FORMS = {"utf-8": lambda text: text.encode("utf-8"),  # what nginx passes on: the bytes as they came
         "percent": lambda text: quote(text).encode("ascii"),
         "rfc8187": lambda text: ("UTF-8''" + quote(text)).encode("ascii")}


def _get(port: int, path: str, headers: dict[str, bytes | str], host: str = "127.0.0.1") -> tuple[int, bytes]:
    """GET with header values sent as given (bytes go on the wire unchanged)."""
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.putrequest("GET", path)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _who(form: str, user: str, groups: str) -> dict[str, bytes]:
    return {"X-Remote-User": FORMS[form](user), "X-Remote-Groups": FORMS[form](groups)}


def _total(port: int, headers: dict, q: str = "办公室内部通报") -> int:
    status, body = _get(port, "/api/search?q=" + quote(q), headers)
    assert status == 200, body
    return json.loads(body)["total"]


def test_header_text_reads_utf8_percent_and_rfc8187_forms_and_keeps_anything_else():
    latin1 = "张三".encode().decode("latin-1")  # what WSGI hands over for the raw bytes
    assert [header_text(v) for v in (latin1, "%E5%BC%A0%E4%B8%89", "UTF-8''%E5%BC%A0%E4%B8%89",
                                     "utf-8'zh'%E5%BC%A0%E4%B8%89")] == ["张三"] * 4
    assert header_text("wang") == "wang" and header_text("100%") == "100%" and header_text("%FF%FE") == "%FF%FE"
    assert header_text("张三".encode("gbk").decode("latin-1")) == "张三".encode("gbk").decode("latin-1")


def test_chinese_user_and_group_names_see_their_groups_items_in_every_header_form(office):
    archive, index = office
    with running_server(index, ENV) as (port, _):
        assert _total(port, {}) == 0
        for form in FORMS:
            assert _total(port, _who(form, "张三", "办公室, 其他")) == len(SECRET), form
            assert _total(port, _who(form, "张三", "其他")) == 0, form
        # the names are the same text in the audit log, the upload's state and the admin page
        assert _get(port, "/upload", _who("utf-8", "张三", "办公室"))[0] == 403
        uploader = {k: v.decode("latin-1") for k, v in _who("percent", "李四", "上传员").items()}
        page = requests.get(f"http://127.0.0.1:{port}/upload", headers=uploader, timeout=10).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        sent = requests.post(f"http://127.0.0.1:{port}/api/uploads", headers={**uploader, "X-CSRF-Token": token},
                             files=[("files", ("a.txt", "上传测试简报\n\n标题\n正文一句。（区教育局）\n".encode()))],
                             timeout=30)
        assert sent.status_code == 202 and sent.json()["user"] == "李四"
        status, admin = _get(port, "/admin", _who("rfc8187", "王五", "管理员"))
        assert status == 200 and "张三" in admin.decode() and "李四" in admin.decode()
    denied = [json.loads(line) for line in (index / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert ("张三", "upload page", "denied") in {(e["user"], e["action"], e["outcome"]) for e in denied}
    state = json.loads((archive / "uploads" / sent.json()["id"] / ".upload.json").read_text(encoding="utf-8"))
    assert state["user"] == "李四"


def test_an_ipv4_proxy_is_trusted_by_a_server_on_ipv6_any_and_a_mapped_entry_trusts_ipv4(office):
    _, index = office
    who = {"X-Remote-User": "root", "X-Remote-Groups": "jianbao-admin"}  # an administrator sees every item
    with running_server(index, ENV, "--host", "::") as (port, _):  # 127.0.0.1 arrives as ::ffff:127.0.0.1
        assert _total(port, who) == len(SECRET)
    with running_server(index, {**ENV, "JIANBAO_TRUSTED_PROXIES": "::ffff:127.0.0.0/104"}) as (port, _):
        assert _total(port, who) == len(SECRET)
    with running_server(index, {**ENV, "JIANBAO_TRUSTED_PROXIES": "10.0.0.1"}, "--host", "::") as (port, _):
        assert _total(port, who) == 0  # a proxy elsewhere: the headers are not believed


BROKEN_TOKENS = {"not JSON": b"{\"tokens\": [", "not UTF-8": b"\xff\xfe{}", "wrong fields": b'{"tokens": [{"who": 1}]}',
                 "not an object": b"[]"}


@pytest.mark.parametrize("problem", [*BROKEN_TOKENS, "a folder"])
def test_an_unreadable_tokens_file_stops_the_server_at_start_naming_the_file_and_why(office, tmp_path, problem):
    _, index = office
    tokens = tmp_path / "tokens.json"
    if problem == "a folder":
        tokens.mkdir()
    else:
        tokens.write_bytes(BROKEN_TOKENS[problem])
    try:
        ended = subprocess.run([sys.executable, "-m", "webapp", "--index-dir", str(index), "--no-build", "--port",
                                str(free_port())], cwd=ROOT, capture_output=True, text=True, timeout=30,
                               env={**os.environ, "JIANBAO_TOKENS_FILE": str(tokens),
                                    "JIANBAO_PROCESSES": "1"})
    except subprocess.TimeoutExpired:  # run() has killed it
        pytest.fail("the server started over an unreadable tokens file")
    assert ended.returncode == 2
    assert str(tokens) in ended.stderr and "JIANBAO_TOKENS_FILE" in ended.stderr and "Traceback" not in ended.stderr


def test_a_tokens_file_that_becomes_unreadable_gives_503_json_on_every_path_logged_once(office, tmp_path):
    _, index = office
    tokens, log = tmp_path / "tokens.json", tmp_path / "server.log"
    token = TokenStore(tokens).add("采集脚本", ["办公室"], "reader", None)
    good = tokens.read_bytes()
    bearer = {"Authorization": f"Bearer {token}"}
    with running_server(index, {**ENV, "JIANBAO_TOKENS_FILE": str(tokens)}, log_file=log) as (port, _):
        assert _total(port, bearer) == len(SECRET)
        for n, broken in enumerate(BROKEN_TOKENS.values()):
            tokens.write_bytes(broken + b" " * n)  # another size: the server sees the change at once
            for path in ("/api/search?q=x", "/search?q=x", "/items/office0", "/export.csv"):
                status, body = _get(port, path, bearer)
                assert status == 503, (path, body)
                error = json.loads(body)["error"]
                assert error["code"] == "tokens_unavailable" and error["message_zh"] and str(tokens) not in body.decode()
        assert _get(port, "/api/search?q=x", {})[0] == 200  # requests without a token are served as before
        tokens.write_bytes(good)
        assert _total(port, bearer) == len(SECRET)
    assert log.read_text(encoding="utf-8").count(f"tokens file {tokens} cannot be read") == 1
