"""Writes a throwaway CA and a certificate for 127.0.0.1 and localhost signed by it into DIR
(run.sh PORT --tls): ca.pem (the CA a client trusts), server.pem (the certificate chain) and
server.key (its private key, readable by the owner only). Usage: make_certs.py DIR."""
import os
import sys
from pathlib import Path

import trustme


def write(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Writes `data` under a temporary name and renames it into place: whoever waits for
    `path` never reads half a file."""
    part = path.with_name(path.name + ".part")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(part, path)


def main() -> None:
    out = Path(sys.argv[1])
    ca = trustme.CA(organization_name="Gauntlet throwaway CA")
    leaf = ca.issue_cert("127.0.0.1", "localhost")
    write(out / "server.key", leaf.private_key_pem.bytes(), 0o600)
    write(out / "server.pem", b"".join(pem.bytes() for pem in leaf.cert_chain_pems))
    # Last: the CA file is there only once the server's certificate is.
    write(out / "ca.pem", ca.cert_pem.bytes())


if __name__ == "__main__":
    main()
