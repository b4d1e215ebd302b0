#!/usr/bin/python3
"""An SMTP sink for hale's email alert tests: aiosmtpd's Controller on 127.0.0.1 that keeps
every message it accepts as two files in a directory, N.eml (the message as received) and
N.json (the envelope: mail_from, rcpt_tos, whether the session was TLS, whether it logged in).

Optionally STARTTLS (--cert/--key, with --require-starttls refusing mail before it), AUTH
(--auth USER:PASSWORD, PLAIN and LOGIN, only over TLS as aiosmtpd insists), and a temporary
failure (451) for the first N messages (--temp-fail-first N). Prints
"READY <port>" once it accepts connections; SIGTERM ends it.

Run with Debian's /usr/bin/python3 (python3-aiosmtpd), not a python3 from PATH that may not
have it.
"""
import argparse
import json
import os
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Keeper:
    def __init__(self, directory, temp_fail_first=0):
        self.directory = directory
        self.count = 0
        self.temp_fail_left = temp_fail_first
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.temp_fail_left > 0:
                self.temp_fail_left -= 1
                return "451 4.3.0 Try again later"
            self.count += 1
            n = self.count
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "tls": getattr(session, "ssl", None) is not None,
            "authenticated": bool(getattr(session, "authenticated", False)),
        }
        # Written under temporary names, then renamed: a reader never sees half a message.
        base = os.path.join(self.directory, str(n))
        with open(base + ".eml.tmp", "wb") as f:
            f.write(content)
        with open(base + ".json.tmp", "w") as f:
            json.dump(meta, f)
        os.rename(base + ".eml.tmp", base + ".eml")
        os.rename(base + ".json.tmp", base + ".json")
        return "250 OK: kept as %d" % n


def make_authenticator(user, password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == user.encode()
              and auth_data.password == password.encode())
        return AuthResult(success=ok, handled=False)
    return authenticate


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--require-starttls", action="store_true")
    p.add_argument("--auth", help="USER:PASSWORD; AUTH is then required before MAIL")
    p.add_argument("--temp-fail-first", type=int, default=0,
                   help="answer the first N messages 451 (a temporary failure), keeping none of them")
    args = p.parse_args()

    params = {}
    if args.cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.cert, args.key)
        params["tls_context"] = ctx
        params["require_starttls"] = args.require_starttls
    if args.auth:
        user, password = args.auth.split(":", 1)
        params["authenticator"] = make_authenticator(user, password)
        params["auth_required"] = True
        params["auth_require_tls"] = True
    controller = Controller(Keeper(args.dir, args.temp_fail_first), hostname="127.0.0.1", port=args.port,
                            **params)
    controller.start()
    print("READY %d" % args.port, flush=True)
    signal.signal(signal.SIGTERM, lambda *_: (controller.stop(), sys.exit(0)))
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
