"""Uploads and withdrawals over HTTP: the /upload and /admin pages and their JSON API.

* ``POST /api/uploads`` (multipart: ``files`` repeated, optional ``issue``, ``date``, ``access``), for
  uploaders and administrators: 202 with the upload's state; its files are stored at once
  (:mod:`indexer.uploads`) and indexed in the background (:mod:`indexer.upload_jobs`).
* ``GET /api/uploads/<id>``: its status and progress (the uploader's own, or any for an administrator).
* ``POST /api/uploads/<id>/retry``: index a failed or interrupted upload again.
* ``POST /api/withdrawals`` (``upload`` or ``item``) and ``POST /api/withdrawals/restore`` (``item``),
  administrators only: a withdrawn item stays out of every build until it is restored.
* Pages: ``/upload`` (form, the user's uploads), ``/upload/<id>`` (progress, refreshed while it runs),
  ``/admin`` (uploads, withdrawal, the audit log a page at a time: ``?log=2`` …).

Anonymous requests get 401, readers 403 (JSON under /api/), each denial audited. Every POST made
with the browser's credentials (single sign-on) must carry the CSRF token of its form (field
``csrf_token`` or header ``X-CSRF-Token``): an itsdangerous signature of the user's name,
valid for :data:`CSRF_MAX_AGE`. Requests with an API token need none (a browser never adds one).
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

from flask import Blueprint, Flask, Response, abort, jsonify, redirect, render_template, request, url_for
from itsdangerous import BadData
from werkzeug.exceptions import RequestEntityTooLarge

from indexer.errors import JianbaoError
from indexer.settings import Settings
from indexer.uploads import UNFINISHED, Refused, Upload, UploadStore, parse_metadata
from webapp.audit import audit_log, record
from webapp.errors import error_response
from webapp.identity import Identity, current_identity
from webapp.site import site
from webapp.wording import ACTION_ZH, OUTCOME_ZH, ROLE_ZH, STATUS_ZH, audit_details, words

if TYPE_CHECKING:  # the local backend's uploads service, named for its type only
    from indexer.upload_jobs import UploadJobs

routes = Blueprint("uploads", __name__)
log = logging.getLogger("jianbao")
UNAVAILABLE_ZH = "上传功能暂不可用，请联系管理员（原因已记入服务器日志）"
CSRF_MAX_AGE = 8 * 3600  # seconds a form's token stays valid
PART_OVERHEAD = 1024  # bytes of multipart headers allowed per file beyond the files' own bytes
FORM_OVERHEAD = 64 * 1024  # bytes of the other form fields
UPLOAD_FORMS = ("/api/uploads", "/upload")  # the only paths that take a large body
MAX_LOG_PAGE = 100_000  # pages of the audit log /admin goes back to


def upload_body_limit(settings: Settings) -> int:
    """The largest request body an upload may send: its files plus multipart overhead."""
    return settings.upload_max_bytes + FORM_OVERHEAD + PART_OVERHEAD * settings.upload_max_files


def install(app: Flask) -> None:
    """Register the views and the Chinese words of their pages; resume uploads a stop cut short."""
    app.register_blueprint(routes)
    app.jinja_env.globals.update(status_zh=lambda s: words(STATUS_ZH, s), action_zh=lambda a: words(ACTION_ZH, a),
                                 outcome_zh=lambda o: words(OUTCOME_ZH, o), audit_details=audit_details)

    @app.before_request
    def small_bodies_elsewhere() -> Response | None:
        """Every request but an upload keeps the app's small body limit (413): the production server refuses a
        larger one before reading it (:mod:`webapp.server`); this holds under any other WSGI server too."""
        limit = app.config["MAX_CONTENT_LENGTH"]
        if (request.content_length or 0) > limit and request.path not in UPLOAD_FORMS:
            return error_response(413, "too_large", f"the request body is larger than {limit} bytes")
        return None
    with app.app_context(), contextlib.suppress(JianbaoError):  # no index (or another backend) yet: 503 until one
        site().uploads().resume()


def jobs() -> UploadJobs:
    """The uploads service of the app (its store and background indexer); 503 when uploads are not possible."""
    try:
        return site().uploads()
    except JianbaoError as e:
        log.warning("uploads are unavailable: %s", e)
        abort(error_response(503, "uploads_unavailable", str(e), UNAVAILABLE_ZH))


def indexed_entry(upload: Upload) -> dict:
    """The audit entry of an upload whose indexing ended."""
    return {"action": "index upload", "outcome": upload.status, "user": upload.user, "address": upload.address,
            "upload": upload.id, "items_added": len(upload.items) if upload.status == "done" else 0,
            "message": upload.message, "message_zh": upload.message_zh}


def csrf_token() -> str:
    """The CSRF token for the current user's forms."""
    return site().csrf().dumps(current_identity().user or "")


def _denied(action: str, status: int, code: str, message: str, message_zh: str, **details) -> Response:
    record(action, "denied", reason=message, reason_zh=message_zh, **details)
    return error_response(status, code, message, message_zh)


def guard(action: str, role: str) -> Response | None:
    """None when the request may do ``action`` (``role`` and, for a POST, a valid CSRF token); else the
    audited 401/403 answer."""
    who: Identity = current_identity()
    if who.user is None:
        return _denied(action, 401, "unauthorized", f"{action} needs a signed-in {role}", "请先登录")
    if not who.can(role):
        return _denied(action, 403, "forbidden", f"{action} needs the {role} role; {who.user} is a {who.role}",
                       f"没有权限：需要{words(ROLE_ZH, role)}角色，{who.user} 是{words(ROLE_ZH, who.role)}")
    if request.method == "POST" and who.via != "token":
        token = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
        try:
            valid = site().csrf().loads(token, max_age=CSRF_MAX_AGE) == who.user
        except BadData:
            valid = False
        if not valid:
            return _denied(action, 403, "csrf", "missing or invalid CSRF token: reload the form and send it again",
                           "表单已失效，请刷新页面后重新提交")
    return None


def _may_see(upload: Upload) -> bool:
    who = current_identity()
    return who.can("admin") or upload.user == who.user


def receive() -> tuple[Upload | None, Response | None]:
    """Store the files of the current upload request and queue its indexing: (upload, None) or (None, error)."""
    settings = site().settings
    limit = upload_body_limit(settings)
    request.max_content_length = limit
    request.max_form_parts = settings.upload_max_files + 16
    try:
        refusal = guard("upload", "uploader")
        if refusal is not None:
            return None, refusal
        files = [f for f in request.files.getlist("files") if f.filename]
        issue, date, access = parse_metadata(request.form.get("issue", ""), request.form.get("date", ""),
                                             request.form.get("access", ""))
    except RequestEntityTooLarge:
        too_big = request.content_length is None or request.content_length > limit
        message = (f"the upload is larger than {settings.upload_max_bytes:,} bytes" if too_big
                   else f"too many files: at most {settings.upload_max_files} in one upload")
        return None, _denied("upload", 413, "too_large", message, "上传内容过大" if too_big else "文件数量过多")
    except Refused as e:
        return None, _denied("upload", e.status, "refused", str(e), e.message_zh)
    if not files:
        return None, _denied("upload", 400, "no_files", "no files were sent (field `files`)", "没有选择文件")
    if len(files) > settings.upload_max_files:
        return None, _denied("upload", 413, "too_many_files",
                             f"{len(files)} files: at most {settings.upload_max_files} in one upload",
                             f"文件数量过多（每次最多 {settings.upload_max_files} 个）", files=len(files))
    found = jobs()
    who = current_identity()
    upload = found.store.create(who.user or "", request.remote_addr or "", issue, date, access, sorted(who.viewer))
    budget = settings.upload_max_bytes
    for f in files:
        try:
            budget -= found.store.add_file(upload, f.filename or "", f.stream, budget)
        except Refused as e:
            upload.refused.append({"name": f.filename or "", "reason": str(e), "reason_zh": e.message_zh})
    names = [f.filename for f in files][:100]
    if not upload.files:
        found.store.discard(upload)
        message = "; ".join(r["reason"] for r in upload.refused[:5])
        return None, _denied("upload", 400, "refused", f"no file was accepted: {message}",
                             "没有可接受的文件：" + "；".join(r["reason_zh"] for r in upload.refused[:5]), files=names)
    upload.status = "queued"
    found.store.save(upload)
    record("upload", "accepted", upload=upload.id, files=[e["stored"] for e in upload.files],
           refused=upload.refused, issue=issue, date=date, access=access)
    found.submit(upload.id)
    return upload, None


@routes.post("/api/uploads")
def api_upload() -> Response:
    """Store the files and start indexing them: 202 with the upload's state."""
    upload, refusal = receive()
    if refusal is not None:
        return refusal
    response = jsonify({**upload.to_dict(), "url": url_for("uploads.api_status", upload_id=upload.id)})
    response.status_code = 202
    response.headers["Location"] = url_for("uploads.api_status", upload_id=upload.id)
    return response


def _load(upload_id: str) -> Upload:
    try:
        upload = jobs().store.load(upload_id)
    except (KeyError, ValueError):
        abort(404, description=f"no upload {upload_id!r}")
    if not _may_see(upload):
        abort(404, description=f"no upload {upload_id!r}")
    return upload


@routes.get("/api/uploads/<upload_id>")
def api_status(upload_id: str) -> Response:
    """An upload's status, progress, files (stored and refused) and the items it added."""
    refusal = guard("upload status", "uploader")
    return refusal or jsonify(_load(upload_id).to_dict())


def _retry(upload_id: str) -> Upload:
    """Queue a failed or interrupted upload again; Refused (409) when it is running or has ended well."""
    _load(upload_id)
    upload = jobs().retry(upload_id)
    record("retry upload", "accepted", upload=upload_id)
    return upload


@routes.post("/api/uploads/<upload_id>/retry")
def api_retry(upload_id: str) -> Response:
    """Index a failed or interrupted upload again (202), in the background."""
    refusal = guard("retry upload", "uploader")
    if refusal is not None:
        return refusal
    try:
        response = jsonify(_retry(upload_id).to_dict())
    except Refused as e:
        return error_response(e.status, "conflict", str(e), e.message_zh)
    response.status_code = 202
    return response


@routes.post("/upload/<upload_id>/retry")
def retry_form(upload_id: str) -> Response:
    """The status page's retry button: back to the page."""
    refusal = guard("retry upload", "uploader")
    if refusal is not None:
        return refusal
    try:
        _retry(upload_id)
    except Refused as e:
        return error_response(e.status, "conflict", str(e), e.message_zh)
    return redirect(url_for("uploads.status_page", upload_id=upload_id), 303)


def withdraw() -> dict:
    """Withdraw the upload or item the form names (the caller has checked the admin role), audited;
    Refused (with its status) when it cannot be done."""
    upload_id, item_id = request.form.get("upload", "").strip(), request.form.get("item", "").strip()
    service = jobs()
    try:
        if upload_id:
            upload = service.withdraw_upload(upload_id)
            answer = {"upload": upload_id, "removed": len(upload.items), "message": upload.message,
                      "message_zh": upload.message_zh or f"已撤回上传 {upload_id}"}
        elif item_id:
            removed = service.withdraw_item(item_id, current_identity().user or "")
            if not removed:
                raise Refused(f"no item {item_id!r} in the index", "索引中没有该条目", 404)
            answer = {"item": item_id, "removed": removed,
                      "message": f"item {item_id} withdrawn: no build reads it back until it is restored",
                      "message_zh": f"已撤回条目 {item_id}：已从索引中移除，重建索引也不会再收录，可在管理页恢复"}
        else:
            raise Refused("name an `upload` or an `item`", "请指定要撤回的上传或条目")
    except KeyError:
        raise Refused(f"no upload {upload_id!r}", "没有该上传", 404) from None
    except Refused:
        raise
    except JianbaoError as e:
        record("withdraw", "failed", upload=upload_id or None, item=item_id or None, reason=str(e),
               reason_zh="暂时无法撤回")
        raise Refused(str(e), "暂时无法撤回，请稍后再试", 409) from None
    record("withdraw", "done", upload=upload_id or None, item=item_id or None, removed=answer["removed"],
           message=answer["message"], message_zh=answer["message_zh"])
    return answer


@routes.post("/api/withdrawals")
def api_withdraw() -> Response:
    """Withdraw an upload (``upload``) or one item (``item``): removed from the index, files kept aside."""
    refusal = guard("withdraw", "admin")
    if refusal is not None:
        return refusal
    try:
        return jsonify(withdraw())
    except Refused as e:
        return error_response(e.status, {404: "not_found", 409: "conflict"}.get(e.status, "bad_request"), str(e),
                              e.message_zh)


def restore() -> dict:
    """Restore the withdrawn item the form names (the caller has checked the admin role), audited."""
    item_id = request.form.get("item", "").strip()
    if not item_id:
        raise Refused("name an `item`", "请指定要恢复的条目")
    try:
        message = jobs().restore_item(item_id)
    except Refused:
        raise
    except JianbaoError as e:
        record("restore", "failed", item=item_id, reason=str(e))
        raise Refused(str(e), "暂时无法恢复，请稍后再试", 409) from None
    record("restore", "done", item=item_id, message=message)
    zh = (f"已恢复条目 {item_id}：其文件已重新收录" if "read again" in message
          else f"已恢复条目 {item_id}，但其文件已不在档案中，放回后会在下次更新时收录")
    return {"item": item_id, "message": message, "message_zh": zh}


@routes.post("/api/withdrawals/restore")
def api_restore() -> Response:
    """Take a withdrawn item (``item``) off the withdrawals list and read its file again."""
    refusal = guard("restore", "admin")
    if refusal is not None:
        return refusal
    try:
        return jsonify(restore())
    except Refused as e:
        return error_response(e.status, {404: "not_found", 409: "conflict"}.get(e.status, "bad_request"), str(e),
                              e.message_zh)


@routes.post("/admin/restore")
def admin_restore() -> Response:
    """The admin page's restore button: back to the page with what happened."""
    refusal = guard("restore", "admin")
    if refusal is not None:
        return refusal
    try:
        message = restore()["message_zh"]
    except Refused as e:
        message = e.message_zh
    return redirect(url_for("uploads.admin_page", message=message), 303)


@routes.get("/upload")
def upload_page() -> Response | str:
    """The upload form and the user's uploads."""
    refusal = guard("upload page", "uploader")
    if refusal is not None:
        return refusal
    found = jobs()
    mine = [u for u in (_quiet_load(found.store, i) for i in reversed(list(found.store.ids()))) if u and _may_see(u)]
    settings = site().settings
    return render_template("upload.html", csrf_token=csrf_token(), uploads=mine[:50], upload=None,
                           max_mb=settings.upload_max_bytes / 2**20, max_files=settings.upload_max_files)


@routes.post("/upload")
def upload_form() -> Response:
    """The form's upload: on to its progress page."""
    upload, refusal = receive()
    if refusal is not None:
        return refusal
    return redirect(url_for("uploads.status_page", upload_id=upload.id), 303)


@routes.get("/upload/<upload_id>")
def status_page(upload_id: str) -> Response | str:
    """One upload's progress (the page refreshes itself while it runs), its files and refusals."""
    refusal = guard("upload status", "uploader")
    if refusal is not None:
        return refusal
    upload = _load(upload_id)
    return render_template("upload.html", csrf_token=csrf_token(), upload=upload, uploads=[],
                           running=upload.status in UNFINISHED)


@routes.get("/admin")
def admin_page() -> Response | str:
    """Uploads with their withdrawal buttons, item withdrawal, and the audit log."""
    refusal = guard("admin page", "admin")
    if refusal is not None:
        return refusal
    found = jobs()
    listed = [u for u in (_quiet_load(found.store, i) for i in reversed(list(found.store.ids()))) if u]
    try:
        number = max(1, min(int(request.args.get("log", "1")), MAX_LOG_PAGE))
    except ValueError:
        number = 1
    log_page, older = audit_log().page(number)
    return render_template("admin.html", csrf_token=csrf_token(), uploads=listed[:200], log=log_page,
                           log_number=number, log_older=older, withdrawn=found.withdrawals(),
                           message=request.args.get("message", ""))


@routes.post("/admin/withdraw")
def admin_withdraw() -> Response:
    """The admin page's withdrawal form: back to the page with what happened."""
    refusal = guard("withdraw", "admin")
    if refusal is not None:
        return refusal
    try:
        message = withdraw()["message_zh"]
    except Refused as e:
        message = e.message_zh
    return redirect(url_for("uploads.admin_page", message=message), 303)


def _quiet_load(store: UploadStore, upload_id: str) -> Upload | None:
    try:
        return store.load(upload_id)
    except (KeyError, ValueError, TypeError):
        return None
