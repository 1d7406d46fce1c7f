"""Serve the web app with waitress (a production WSGI server; Flask's own is for debugging)."""

import argparse
import logging

from waitress import serve

from directory.web import create_app

parser = argparse.ArgumentParser(prog="python -m directory.web")
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=5000)
args = parser.parse_args()

# waitress logs nothing about requests at WARNING; keep it there.
logging.basicConfig(level=logging.WARNING)
serve(create_app(), host=args.host, port=args.port, threads=8, ident="")
