#!/usr/bin/env python3
"""Opens an HTML report in real headless Chromium over the DevTools protocol (a pipe, so no
port is opened) and checks it; prints one JSON object with what it saw. Standard library only.

Usage: html_check.py REPORT.html SCREENSHOT.png [TIMEOUT_SECONDS]

Checks: console errors and uncaught exceptions, dialogs (alert), network requests other than
the report itself, <img> count, window.__fpXSS, sorting a listeners table by clicking its
Process header (real mouse events), filtering findings by severity. Every wait is bounded."""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    def __init__(self, binary, deadline):
        self.deadline = deadline
        self.profile = tempfile.mkdtemp(prefix="fp-chromium-")
        to_child_r, self.to_child_w = os.pipe()
        self.from_child_r, from_child_w = os.pipe()
        self.proc = self._spawn(binary, to_child_r, from_child_w)
        os.close(to_child_r)
        os.close(from_child_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []

    def _spawn(self, binary, to_child_r, from_child_w):
        # Chromium reads commands on fd 3 and writes replies on fd 4 (--remote-debugging-pipe).
        def setup():
            os.dup2(to_child_r, 100)
            os.dup2(from_child_w, 101)
            os.dup2(100, 3)
            os.dup2(101, 4)
        return subprocess.Popen(
            [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
             "--disable-sync", "--disable-component-update", "--host-resolver-rules=MAP * ~NOTFOUND",
             "--remote-debugging-pipe", "--user-data-dir=" + self.profile, "--window-size=1400,1000", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=tuple(sorted({3, 4, to_child_r, from_child_w})), preexec_fn=setup, close_fds=True)

    def send(self, method, params=None, session=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_child_w, json.dumps(message).encode() + b"\0")
        return self.wait_for(lambda m: m.get("id") == self.next_id)

    def read_message(self):
        import select
        while b"\0" not in self.buffer:
            left = self.deadline - time.time()
            if left <= 0:
                raise TimeoutError("chromium did not answer in time")
            ready, _, _ = select.select([self.from_child_r], [], [], min(left, 1.0))
            if ready:
                chunk = os.read(self.from_child_r, 1 << 20)
                if not chunk:
                    raise RuntimeError("chromium closed the pipe")
                self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def wait_for(self, predicate):
        for index, event in enumerate(self.events):
            if predicate(event):
                return self.events.pop(index)
        while True:
            message = self.read_message()
            if predicate(message):
                if "error" in message:
                    raise RuntimeError("devtools error: %s" % message["error"])
                return message
            self.events.append(message)

    def close(self):
        try:
            os.write(self.to_child_w, json.dumps({"id": 999999, "method": "Browser.close"}).encode() + b"\0")
        except OSError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    report, screenshot = os.path.abspath(sys.argv[1]), sys.argv[2]
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 60
    binary = find_chromium()
    if not binary:
        print(json.dumps({"error": "chromium not found"}))
        return 3
    browser = Browser(binary, time.time() + timeout)
    result = {"consoleErrors": [], "exceptions": [], "dialogs": [], "requests": []}
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["result"]["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["result"]["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.send(domain + ".enable", session=session)
        browser.send("Page.navigate", {"url": "file://" + report}, session=session)
        browser.wait_for(lambda m: m.get("method") == "Page.loadEventFired")

        def evaluate(expression):
            reply = browser.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True}, session=session)
            value = reply["result"]
            if "exceptionDetails" in value:
                raise RuntimeError("evaluation failed: %s" % value["exceptionDetails"])
            return value["result"].get("value")

        result["title"] = evaluate("document.title")
        result["imgCount"] = evaluate("document.querySelectorAll('img').length")
        result["scriptCount"] = evaluate("document.scripts.length")
        result["xssFlag"] = evaluate("typeof window.__fpXSS === 'undefined' ? null : String(window.__fpXSS)")
        result["bodyText"] = evaluate("document.body.textContent")
        # Sort the first host's TCP listener table by its Port column with a real click.
        evaluate("(function(){var d=document.querySelector('details.host');if(d)d.open=true;return !!d;})()")
        table = "document.querySelector('details.host table.listeners')"
        result["processesBefore"] = evaluate("Array.from(%s.tBodies[0].rows).map(r=>r.cells[2].textContent)" % table)
        box = evaluate("(function(){var th=%s.tHead.rows[0].cells[2];th.scrollIntoView({block:'center'});var r=th.getBoundingClientRect();return [r.x+r.width/2,r.y+r.height/2];})()" % table)
        for kind in ("mousePressed", "mouseReleased"):
            browser.send("Input.dispatchMouseEvent", {"type": kind, "x": box[0], "y": box[1], "button": "left", "clickCount": 1}, session=session)
        result["processesAfterOneClick"] = evaluate("Array.from(%s.tBodies[0].rows).map(r=>r.cells[2].textContent)" % table)
        for kind in ("mousePressed", "mouseReleased"):
            browser.send("Input.dispatchMouseEvent", {"type": kind, "x": box[0], "y": box[1], "button": "left", "clickCount": 1}, session=session)
        result["processesAfterTwoClicks"] = evaluate("Array.from(%s.tBodies[0].rows).map(r=>r.cells[2].textContent)" % table)
        result["findingsTotal"] = evaluate("document.querySelectorAll('#findings-table tbody tr').length")
        result["findingsVisibleBySeverity"] = evaluate(
            "(function(){var s=document.getElementById('filter-severity');var out={};if(!s)return out;"
            "Array.from(s.options).forEach(function(o){s.value=o.value;s.dispatchEvent(new Event('change'));"
            "out[o.value||'all']=Array.from(document.querySelectorAll('#findings-table tbody tr')).filter(function(r){return !r.hidden;}).map(function(r){return r.getAttribute('data-severity');});});"
            "s.value='';s.dispatchEvent(new Event('change'));return out;})()")
        evaluate("document.querySelectorAll('details.host').forEach(function(d){d.open=true;})")
        evaluate("window.scrollTo(0, 0)")
        shot = browser.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": False}, session=session)
        with open(screenshot, "wb") as handle:
            handle.write(base64.b64decode(shot["result"]["data"]))
        result["screenshot"] = os.path.abspath(screenshot)
        # A short bounded drain so late console messages are seen too.
        browser.deadline = min(browser.deadline, time.time() + 0.5)
        try:
            while True:
                browser.events.append(browser.read_message())
        except TimeoutError:
            pass
    except Exception as error:  # reported, not raised: the Swift test shows it
        result["error"] = "%s: %s" % (type(error).__name__, error)
    finally:
        browser.close()
    for event in browser.events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            result["consoleErrors"].append(" ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            result["consoleErrors"].append(params["entry"].get("text", ""))
        elif method == "Runtime.exceptionThrown":
            result["exceptions"].append(params.get("exceptionDetails", {}).get("text", ""))
        elif method == "Page.javascriptDialogOpening":
            result["dialogs"].append(params.get("message", ""))
        elif method == "Network.requestWillBeSent":
            result["requests"].append(params.get("request", {}).get("url", ""))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
