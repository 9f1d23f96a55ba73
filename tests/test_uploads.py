"""Uploads through a real server (``python -m webapp``): stored, indexed in the background, searchable; hostile
files refused with a reason; limits enforced while the body streams; withdrawal; CSRF; roles; the audit log;
two uploads at once; a server killed while indexing serves the old index and takes the upload up again."""

from __future__ import annotations

import dataclasses
import fcntl
import http.client
import io
import json
import os
import random
import re
import shutil
import signal
import threading
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
import requests
from PIL import Image

from indexer.index.layout import writer_lock
from indexer.items import MAX_ITEM_CHARS
from indexer.settings import Settings
from indexer.upload_jobs import FairQueue
from search.local.searcher import RECHECK_SECONDS
from tests.conftest import CORPUS, build_index, open_index, run
from tests.serving import running_server, timed_search
from webapp import create_app

UPLOADER = {"X-Remote-User": "wang", "X-Remote-Groups": "office,jianbao-uploader"}
ADMIN = {"X-Remote-User": "root", "X-Remote-Groups": "jianbao-admin"}
READER = {"X-Remote-User": "reader", "X-Remote-Groups": "office"}
MAX_BYTES = 2 * 2**20
ISSUE = "测试上传简报\n\n{title}\n{word}在本次上传中首次出现，请予关注。（区教育局）\n"
HTML = ("<html><head><meta charset='utf-8'><title>网页简报</title><script>var 脚本独有词 = 1;</script></head>"
        "<body><h1>网页简报</h1><p>网页专有词语出现在正文中，经核对无误。（区司法局）</p>"
        "<script>document.write('脚本独有词')</script></body></html>")


def make_site(root: Path) -> tuple[Path, Path, dict[str, str]]:
    """(archive, index, server environment) over a copy of the seed corpus."""
    archive = root / "archive"
    shutil.copytree(CORPUS, archive)
    index = build_index([archive], root / "index")
    env = {"JIANBAO_TRUSTED_PROXIES": "127.0.0.1", "JIANBAO_PROCESSES": "1", "JIANBAO_THREADS": "4",
           "JIANBAO_LOCK_WAIT": "1", "JIANBAO_UPLOAD_MAX_BYTES": str(MAX_BYTES), "JIANBAO_UPLOAD_MAX_FILES": "100"}
    return archive, index, env


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(base URL, archive, index) of one running server."""
    archive, index, env = make_site(tmp_path_factory.mktemp("uploads"))
    with running_server(index, env) as (port, _):
        yield f"http://127.0.0.1:{port}", archive, index


def token(base: str, who: dict[str, str], page: str = "/upload") -> str:
    """The CSRF token of the form on ``page``."""
    response = requests.get(base + page, headers=who, timeout=10)
    assert response.status_code == 200
    return re.search(r'name="csrf_token" value="([^"]+)"', response.text).group(1)


def post(base: str, files: list[tuple[str, bytes]], who: dict[str, str] = UPLOADER, **form: str):
    """POST /api/uploads with a valid CSRF token."""
    headers = {**who, "X-CSRF-Token": token(base, who)}
    return requests.post(base + "/api/uploads", headers=headers, data=form, timeout=60,
                         files=[("files", (name, data)) for name, data in files])


def finished(base: str, upload_id: str, seconds: float = 90, who: dict[str, str] = UPLOADER) -> dict:
    """The upload's state once it is no longer queued or indexing."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = requests.get(f"{base}/api/uploads/{upload_id}", headers=who, timeout=10).json()
        if state["status"] not in ("queued", "indexing"):
            return state
        time.sleep(0.3)
    raise AssertionError(f"upload {upload_id} did not finish: {state}")


def total(base: str, q: str) -> int:
    """Items the query finds, once the server has looked for a new index (it does each second)."""
    time.sleep(RECHECK_SECONDS + 0.1)
    return requests.get(base + "/api/search", params={"q": q}, timeout=10).json()["total"]


def audit(index: Path) -> list[dict]:
    return [json.loads(line) for line in (index / "audit.jsonl").read_text(encoding="utf-8").splitlines()]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (uploads left out) with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and "uploads" not in p.parts}


def test_files_are_stored_safely_indexed_in_the_background_and_searchable(site):
    base, archive, index = site
    before = snapshot(archive)
    files = [("../../../etc/上传一.txt", ISSUE.format(title="第一条", word="上传专有词甲").encode()),
             ("..\\..\\网页.html", HTML.encode()),
             ("上传一.txt", ISSUE.format(title="同名文件", word="上传专有词乙").encode("gb18030"))]
    response = post(base, files, issue="2024年第9期", date="2024-05-20")
    assert response.status_code == 202, response.text
    upload = response.json()
    stored = [f["stored"] for f in upload["files"]]
    folder = f"uploads/{upload['id']}"
    assert stored == [f"{folder}/上传一.txt", f"{folder}/网页.html", f"{folder}/上传一 (2).txt"]
    assert not (archive.parent / "etc").exists() and not Path("/etc/上传一.txt").exists()
    state = finished(base, upload["id"])
    assert state["status"] == "done", state
    assert len(state["items"]) == 3 and state["progress"] == {"files": 3, "total": 3, "items": 3}
    for word in ("上传专有词甲", "上传专有词乙", "网页专有词语"):
        assert total(base, word) == 1
    hit = requests.get(base + "/api/search", params={"q": "上传专有词甲"}, timeout=10).json()["hits"][0]
    assert hit["issue"] == "2024年第9期" and hit["date"] == "2024-05-20"
    assert total(base, "脚本独有词") == 0  # the page's scripts are not indexed
    page = requests.get(base + "/api/search", params={"q": "网页专有词语"}, timeout=10).json()["hits"][0]["id"]
    body = requests.get(f"{base}/api/items/{page}", timeout=10).json()["item"]["body"]
    assert "网页专有词语" in body and "脚本独有词" not in body and "<" not in body  # indexed as text only
    assert requests.get(f"{base}/{folder}/网页.html", timeout=10).status_code == 404  # never served
    assert snapshot(archive) == before  # nothing of the archive changed


def test_hostile_files_are_refused_each_with_its_reason(site):
    base, archive, index = site
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\0" * (60 * 2**20))  # inflates 1000 times
    files = [("炸弹.docx", bomb.getvalue()), ("图片.txt", b"\x89PNG\r\n\x1a\n" + b"\0" * 100),
             ("报告.pdf", "其实是文本".encode()), ("程序.exe", b"MZ\x90\0"), ("假的.docx", b"PK\x03\x04" + b"\0" * 30),
             ("好的.txt", ISSUE.format(title="正常文件", word="混合上传专有词").encode())]
    response = post(base, files)
    assert response.status_code == 202, response.text
    upload = response.json()
    reasons = {r["name"]: r["reason"] for r in upload["refused"]}
    assert "zip bomb" in reasons["炸弹.docx"]
    assert "must be text" in reasons["图片.txt"] and "PNG" in reasons["图片.txt"]
    assert "not what .pdf says" in reasons["报告.pdf"]
    assert "not a format" in reasons["程序.exe"]
    assert "damaged" in reasons["假的.docx"]
    assert [f["name"] for f in upload["files"]] == ["好的.txt"]
    assert sorted(p.name for p in (archive / "uploads" / upload["id"]).iterdir() if not p.name.startswith(".")) \
        == ["好的.txt"]
    assert finished(base, upload["id"])["status"] == "done" and total(base, "混合上传专有词") == 1

    nothing = post(base, files[:2])
    assert nothing.status_code == 400 and "no file was accepted" in nothing.json()["error"]["message"]
    assert "文件内容与扩展名不符" in nothing.json()["error"]["message_zh"]


@pytest.mark.parametrize("chunked", [False, True])
def test_a_1_gb_upload_is_refused_while_it_streams_without_being_stored(site, chunked):
    base, archive, index = site
    port = int(base.rsplit(":", 1)[1])
    before = sorted(p.name for p in (archive / "uploads").iterdir()) if (archive / "uploads").exists() else []
    boundary = "jianbao-boundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"大.txt\"\r\n"
            "Content-Type: text/plain\r\n\r\n").encode()
    size = 2**30
    headers = {**UPLOADER, "X-CSRF-Token": token(base, UPLOADER),
               "Content-Type": f"multipart/form-data; boundary={boundary}"}
    headers.update({"Transfer-Encoding": "chunked"} if chunked else {"Content-Length": str(size)})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    conn.putrequest("POST", "/api/uploads")
    for name, value in headers.items():
        conn.putheader(name, value)
    conn.endheaders()
    sent = 0
    chunk = "简报正文".encode() * 16384  # 192 KiB of text, sent again and again: the file is never in memory
    frame = (lambda data: b"%x\r\n%s\r\n" % (len(data), data)) if chunked else (lambda data: data)
    try:
        conn.send(frame(head))
        while sent < size:
            conn.send(frame(chunk))
            sent += len(chunk)
    except OSError:
        pass  # the server stopped reading
    assert sent < 64 * 2**20, f"the client could send {sent:,} bytes"
    response = conn.getresponse()
    assert response.status == 413
    conn.close()
    after = sorted(p.name for p in (archive / "uploads").iterdir()) if (archive / "uploads").exists() else []
    assert after == before
    assert total(base, "工作") > 0  # the server still answers


def test_1000_files_at_once_are_refused_with_the_limit(site):
    base, archive, index = site
    before = sorted((archive / "uploads").iterdir()) if (archive / "uploads").exists() else []
    response = post(base, [(f"{n}.txt", ISSUE.format(title=f"第{n}条", word="千件").encode()) for n in range(1000)])
    assert response.status_code == 413
    assert "at most 100" in response.json()["error"]["message"]
    assert (sorted((archive / "uploads").iterdir()) if (archive / "uploads").exists() else []) == before
    assert audit(index)[-1]["outcome"] == "denied"


def test_readers_and_anonymous_are_refused_csrf_is_checked_and_denials_are_audited(site):
    base, archive, index = site
    data = {"files": ("a.txt", ISSUE.format(title="越权", word="越权专有词").encode())}
    anonymous = requests.post(base + "/api/uploads", files=data, timeout=10)
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "unauthorized"
    reader = requests.post(base + "/api/uploads", files=data, headers=READER, timeout=10)
    assert reader.status_code == 403 and reader.json()["error"]["code"] == "forbidden"
    assert requests.get(base + "/upload", headers=READER, timeout=10).status_code == 403
    assert requests.get(base + "/admin", headers=UPLOADER, timeout=10).status_code == 403
    no_token = requests.post(base + "/api/uploads", files=data, headers=UPLOADER, timeout=10)
    assert no_token.status_code == 403 and no_token.json()["error"]["code"] == "csrf"
    forged = requests.post(base + "/api/uploads", files=data, timeout=10,
                           headers={**UPLOADER, "X-CSRF-Token": token(base, ADMIN, "/admin")})  # another user's
    assert forged.status_code == 403
    withdraw = requests.post(base + "/api/withdrawals", data={"upload": "x"}, timeout=10,
                             headers={**UPLOADER, "X-CSRF-Token": token(base, UPLOADER)})
    assert withdraw.status_code == 403
    denied = [e for e in audit(index)[-7:] if e["outcome"] == "denied"]
    assert [(e["user"], e["action"]) for e in denied] == [
        (None, "upload"), ("reader", "upload"), ("reader", "upload page"), ("wang", "admin page"),
        ("wang", "upload"), ("wang", "upload"), ("wang", "withdraw")]
    assert all(e["address"] == "127.0.0.1" and e["time"] for e in denied)
    assert total(base, "越权专有词") == 0


def test_an_admin_withdraws_an_item_and_a_whole_upload_and_the_files_are_kept_aside(site):
    base, archive, index = site
    files = [("甲.txt", ISSUE.format(title="撤回甲", word="撤回专有词甲").encode()),
             ("乙.txt", ISSUE.format(title="撤回乙", word="撤回专有词乙").encode())]
    upload = post(base, files).json()
    state = finished(base, upload["id"])
    assert state["status"] == "done" and total(base, "撤回专有词甲") == 1
    admin_token = token(base, ADMIN, "/admin")
    first = state["files"][0]["items"][0]
    answer = requests.post(base + "/api/withdrawals", data={"item": first}, timeout=30,
                           headers={**ADMIN, "X-CSRF-Token": admin_token})
    assert answer.status_code == 200 and "until it is restored" in answer.json()["message"]
    assert total(base, "撤回专有词甲") == 0 and total(base, "撤回专有词乙") == 1
    assert requests.get(f"{base}/api/items/{first}", timeout=10).status_code == 404
    rebuilt = open_index(build_index([archive], index.parent / "rebuilt-after-withdrawal"))
    assert run(rebuilt, q="撤回专有词甲").total == 0 and run(rebuilt, q="撤回专有词乙").total == 1  # it lasts
    assert first in requests.get(base + "/admin", headers=ADMIN, timeout=10).text  # listed, to restore
    restored = requests.post(base + "/api/withdrawals/restore", data={"item": first}, timeout=30,
                             headers={**ADMIN, "X-CSRF-Token": admin_token})
    assert restored.status_code == 200 and total(base, "撤回专有词甲") == 1
    assert run(open_index(build_index([archive], index.parent / "rebuilt-after-restore")), q="撤回专有词甲").total == 1
    answer = requests.post(base + "/api/withdrawals", data={"item": first}, timeout=30,
                           headers={**ADMIN, "X-CSRF-Token": admin_token})
    assert answer.status_code == 200 and total(base, "撤回专有词甲") == 0
    whole = requests.post(base + "/admin/withdraw", data={"upload": upload["id"], "csrf_token": admin_token},
                          headers=ADMIN, timeout=30, allow_redirects=False)
    assert whole.status_code == 303
    assert total(base, "撤回专有词乙") == 0
    aside = archive / "uploads" / ".withdrawn" / upload["id"]
    assert {"甲.txt", "乙.txt"} <= {p.name for p in aside.iterdir()}
    assert (aside / "甲.txt").read_bytes() == files[0][1]
    assert not (archive / "uploads" / upload["id"]).exists()
    assert requests.get(f"{base}/api/uploads/{upload['id']}", headers=UPLOADER, timeout=10).json()["status"] \
        == "withdrawn"
    listing = requests.get(base + "/admin", headers=ADMIN, timeout=10).text
    assert upload["id"] in listing and "withdraw" in listing


def test_two_uploads_at_once_wait_for_the_writer_and_both_end_indexed(site):
    base, archive, index = site
    answers = []
    with writer_lock(index, 0):  # another writer holds the index for longer than JIANBAO_LOCK_WAIT
        threads = [threading.Thread(target=lambda n=n: answers.append(
            post(base, [(f"同时{n}.txt", ISSUE.format(title=f"同时{n}", word=f"同时上传词{n}").encode())])))
            for n in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        time.sleep(2.5)
        states = [requests.get(f"{base}/api/uploads/{a.json()['id']}", headers=UPLOADER, timeout=10).json()
                  for a in answers]
        assert {s["status"] for s in states} <= {"queued", "indexing"}
    assert all(finished(base, a.json()["id"])["status"] == "done" for a in answers)
    assert total(base, "同时上传词0") == 1 and total(base, "同时上传词1") == 1


def test_a_server_killed_while_indexing_serves_the_old_index_and_takes_the_upload_up_again(tmp_path):
    archive, index, env = make_site(tmp_path)
    items_before = open_index(index).health()["items"]
    # the upload's update cannot finish while the test holds the writer lock
    with writer_lock(index, 0), running_server(index, env) as (port, pid):
        base = f"http://127.0.0.1:{port}"
        upload = post(base, [("中断.txt", ISSUE.format(title="中断", word="中断后恢复词").encode())]).json()
        time.sleep(1.5)
        assert requests.get(f"{base}/api/uploads/{upload['id']}", headers=UPLOADER, timeout=10).json()[
            "status"] == "indexing"
        os.kill(pid, signal.SIGKILL)
        wait_unlocked(archive / "uploads" / upload["id"] / ".lock")  # its worker process has gone
    searcher = open_index(index)
    assert searcher.health()["items"] == items_before and run(searcher, q="中断后恢复词").total == 0
    with running_server(index, env) as (port, _):
        base = f"http://127.0.0.1:{port}"
        state = finished(base, upload["id"])
        assert state["status"] == "done" and total(base, "中断后恢复词") == 1


def wait_unlocked(path: Path, seconds: float = 30) -> None:
    """Wait until no process holds the flock of ``path``."""
    deadline = time.monotonic() + seconds
    with open(path, "a+") as f:
        while time.monotonic() < deadline:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(f, fcntl.LOCK_UN)
                return
            except OSError:
                time.sleep(0.2)
    raise AssertionError(f"{path} is still locked")


def test_access_given_with_an_upload_restricts_its_items(site):
    base, archive, index = site
    upload = post(base, [("内部.txt", ISSUE.format(title="内部", word="内部上传专有词").encode())], access="office").json()
    assert finished(base, upload["id"])["status"] == "done"
    assert total(base, "内部上传专有词") == 0  # anonymous
    seen = requests.get(base + "/api/search", params={"q": "内部上传专有词"}, headers=READER, timeout=10).json()
    assert seen["total"] == 1
    item = requests.get(f"{base}/api/items/{seen['hits'][0]['id']}", headers=READER, timeout=10).json()["item"]
    assert item["access"] == ["office"]


def test_an_upload_may_not_replace_an_item_of_the_archive_and_fails_without_changing_anything(site):
    base, archive, index = site
    existing = requests.get(base + "/api/search", params={"q": "工作"}, timeout=10).json()["hits"][0]
    record = {"id": existing["id"], "title": "冒名顶替", "body": "冒名顶替的正文。（区教育局）"}
    upload = post(base, [("冒名.jsonl", json.dumps(record, ensure_ascii=False).encode())]).json()
    state = finished(base, upload["id"])
    assert state["status"] == "failed" and existing["id"] in state["message"] and "nothing replaced" in state["message"]
    assert total(base, "冒名顶替") == 0
    assert requests.get(f"{base}/api/items/{existing['id']}", timeout=10).json()["item"]["title"] == existing["title"]
    retried = requests.post(f"{base}/api/uploads/{upload['id']}/retry", timeout=10,
                            headers={**UPLOADER, "X-CSRF-Token": token(base, UPLOADER)})
    assert retried.status_code == 202 and finished(base, upload["id"])["status"] == "failed"  # the same, again
    page = requests.get(f"{base}/upload/{upload['id']}", headers=UPLOADER, timeout=10).text
    assert "失败" in page and f"/upload/{upload['id']}/retry" in page
    again = requests.post(f"{base}/upload/{upload['id']}/retry", headers=UPLOADER, timeout=10, allow_redirects=False,
                          data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)})
    assert again.status_code == 303 and finished(base, upload["id"])["status"] == "failed"
    assert not (archive / "uploads" / upload["id"]).exists()  # set aside: no build reads a failed upload's files
    assert (archive / "uploads" / ".failed" / upload["id"] / "冒名.jsonl").is_file()
    rebuilt = open_index(build_index([archive], index.parent / "rebuilt"))
    assert run(rebuilt, q="冒名顶替").total == 0 and rebuilt.item_page(existing["id"]).item.title == existing["title"]


def test_a_failed_uploads_message_names_only_ids_the_uploader_may_see(site):
    base, archive, index = site
    secret = post(base, [("机密.txt", ISSUE.format(title="机密", word="机密上传专有词").encode())], who=ADMIN,
                  access="领导小组").json()
    hidden = finished(base, secret["id"], who=ADMIN)["files"][0]["items"][0]
    public = requests.get(base + "/api/search", params={"q": "工作"}, timeout=10).json()["hits"][0]["id"]
    records = [{"id": hidden, "title": "探测", "body": "探测编号是否存在。（区教育局）"},
               {"id": public, "title": "冒用", "body": "冒用公开编号。（区教育局）"}]
    probe = post(base, [("探测.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode())])
    state = finished(base, probe.json()["id"])
    assert state["status"] == "failed" and public in state["message"] and hidden not in state["message"]
    assert hidden not in requests.get(f"{base}/upload/{state['id']}", headers=UPLOADER, timeout=10).text
    alone = post(base, [("只探测.jsonl", json.dumps(records[0], ensure_ascii=False).encode())])
    state = finished(base, alone.json()["id"])
    assert state["status"] == "failed" and hidden not in json.dumps(state, ensure_ascii=False)


def test_an_uploads_folder_outside_the_archive_is_refused_with_its_reason(tmp_path, seed_index, caplog):
    settings = dataclasses.replace(Settings.defaults(), index_dir=seed_index, trusted_proxies=("127.0.0.1",),
                                   uploads_dir=str(tmp_path / "elsewhere"))
    client = create_app({"TESTING": True}, settings).test_client()
    page = client.get("/upload", headers=UPLOADER)
    api = client.get("/api/uploads/20240101-000000-abcdef12", headers=UPLOADER)
    assert page.status_code == api.status_code == 503
    assert "上传功能暂不可用" in page.get_data(as_text=True)
    assert api.get_json()["error"]["code"] == "uploads_unavailable"
    assert "is not inside the archive" in api.get_json()["error"]["message"]
    assert "is not inside the archive" in caplog.text  # the operator's log says why


def _huge_docx(paragraphs: int) -> bytes:
    """A Word package of ``paragraphs`` paragraphs of random common characters (as hard to compress as prose)."""
    rng = random.Random(7)
    common = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方"
    body = "".join(f"<w:p><w:r><w:t>{''.join(rng.choices(common, k=30))}</w:t></w:r></w:p>" for _ in range(paragraphs))
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                   f'wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>')
    return package.getvalue()


def test_a_huge_upload_is_indexed_beside_the_searches_which_keep_their_time(tmp_path):
    """A document of 100,000 paragraphs (3 million characters) is read to MAX_TEXT_CHARS and becomes an item cut at
    MAX_ITEM_CHARS that says so, indexed by a process of its own while searches answer as fast as before."""
    archive, index, env = make_site(tmp_path)
    env["JIANBAO_UPLOAD_MAX_BYTES"] = str(40 * 2**20)
    data = _huge_docx(100_000)
    with running_server(index, env) as (port, _):
        base = f"http://127.0.0.1:{port}"
        before = sorted(timed_search(port) for _ in range(9))[4]
        upload = post(base, [("长文.docx", data)]).json()
        during = []
        while requests.get(f"{base}/api/uploads/{upload['id']}", headers=UPLOADER, timeout=10).json()[
                "status"] in ("queued", "indexing") or len(during) < 5:
            during.append(timed_search(port))
        state = finished(base, upload["id"], seconds=300)
        assert state["status"] == "done", state
        time.sleep(RECHECK_SECONDS + 0.1)  # each server process looks for a new index once a second
        item = requests.get(f"{base}/api/items/{state['items'][0]}", timeout=10).json()["item"]
    assert len(item["body"]) == MAX_ITEM_CHARS and item["truncated"] > 0
    assert max(during) < max(1.0, 10 * before), (before, sorted(during)[-5:])


def test_an_upload_past_its_time_is_stopped_and_fails_and_searches_go_on(tmp_path):
    """Pages of noise, which OCR takes a minute each to give up on: the upload is stopped at JIANBAO_UPLOAD_SECONDS,
    nothing is indexed, and its files are set aside."""
    archive, index, env = make_site(tmp_path)
    env["JIANBAO_UPLOAD_SECONDS"] = "10"
    rng = np.random.default_rng(1)
    pages = [Image.fromarray((rng.random((1100, 850)) * 255).astype("uint8"), "L") for _ in range(3)]
    scan = io.BytesIO()
    pages[0].save(scan, "PDF", resolution=100.0, save_all=True, append_images=pages[1:])
    with running_server(index, env) as (port, _):
        base = f"http://127.0.0.1:{port}"
        started = time.monotonic()
        upload = post(base, [("噪声.pdf", scan.getvalue())]).json()
        state = finished(base, upload["id"], seconds=120)
        assert state["status"] == "failed" and "longer than 10 s" in state["message"], state
        assert time.monotonic() - started < 60
        assert timed_search(port) < 2
    assert (archive / "uploads" / ".failed" / upload["id"]).is_dir()


def test_uploads_wait_their_turn_by_uploader():
    queue = FairQueue()
    for user, upload in (("甲", "a1"), ("甲", "a2"), ("甲", "a3"), ("乙", "b1"), ("丙", "c1"), ("乙", "b2")):
        queue.put(user, upload)
    assert [queue.get() for _ in range(6)] == ["a1", "b1", "c1", "a2", "b2", "a3"]
