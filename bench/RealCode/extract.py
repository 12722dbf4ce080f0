#!/usr/bin/env python3
# usage: extract.py GITDIR DEST [COMMIT]
# Extract a commit (default HEAD) of a bare git dir into a directory, skipping blobs absent from the snapshot (large files).
import subprocess, sys, os
gitdir, dest = sys.argv[1], sys.argv[2]
commit = sys.argv[3] if len(sys.argv) > 3 else 'HEAD'
out = subprocess.run(['git', '--git-dir', gitdir, 'ls-tree', '-r', '-z', commit], capture_output=True, check=True).stdout
entries = [e for e in out.split(b'\0') if e]
p = subprocess.Popen(['git', '--git-dir', gitdir, 'cat-file', '--batch'], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
missing = []
for e in entries:
    meta, path = e.split(b'\t', 1)
    mode, typ, sha = meta.split()
    if typ != b'blob': continue
    p.stdin.write(sha + b'\n'); p.stdin.flush()
    header = p.stdout.readline()
    if header.endswith(b'missing\n'):
        missing.append(path.decode()); continue
    size = int(header.split()[2]); data = p.stdout.read(size); p.stdout.read(1)
    fp = os.path.join(dest, path.decode()); os.makedirs(os.path.dirname(fp), exist_ok=True)
    if mode == b'120000':
        try: os.symlink(data.decode(), fp)
        except FileExistsError: pass
    else:
        with open(fp, 'wb') as f: f.write(data)
        if mode == b'100755': os.chmod(fp, 0o755)
print('missing:', missing)
