# parse.py LOG CASE VARIANT RUN RESULTS_TSV DIAG_OUT
import re, sys, os
log, case, variant, run, results, diagout = sys.argv[1:7]
text = open(log, errors='replace').read().splitlines()
csc = None; rules = {}; asm = {}; total = None
cur = None
for line in text:
    m = re.match(r'^\s+(\d+) ms\s+Csc\s+\d+ calls', line)
    if m: csc = int(m.group(1)) / 1000.0
    m = re.search(r'Total analyzer execution time:\s*([\d.]+)', line)
    if m: total = float(m.group(1))
    m = re.match(r'^\s+(<?[\d.]+)\s+(<?\d+)\s+(\S+)(?: \((.*)\))?\s*$', line)
    if m and total is not None:
        v = m.group(1); sec = 0.0005 if v.startswith('<') else float(v)
        name = m.group(3).rstrip(',')
        if name.startswith('Executor.Analyzers') or name.startswith('Microsoft.VisualStudio.Threading'):
            if m.group(4) and ('Version=' in (m.group(4) or '') ) : pass
        rules[name] = rules.get(name, 0) + sec
    m = re.match(r'^\s+(<?[\d.]+)\s+(<?\d+)\s+([\w.]+), Version=', line)
    if m and total is not None:
        v = m.group(1); asm[m.group(3)] = asm.get(m.group(3), 0) + (0.0005 if v.startswith('<') else float(v))
diags = sorted(set(re.sub(r'\s*\[[^\]]*\.csproj\]\s*$', '', re.sub(r'^\s*(\d+>)?', '', l)) for l in text if re.search(r'warning EXEC00\d', l)))
open(diagout, 'w').write('\n'.join(diags) + '\n')
ours = sum(v for k, v in asm.items() if k.startswith('Executor.Analyzers'))
vs = sum(v for k, v in asm.items() if k.startswith('Microsoft.VisualStudio.Threading'))
e1 = rules.get('Executor.Analyzers.EXEC001UnsynchronizedCallbackAccessAnalyzer', float('nan'))
n1 = sum(1 for d in diags if 'warning EXEC001' in d)
load = open('/proc/loadavg').read().split()[0]
new = not os.path.exists(results)
with open(results, 'a') as f:
    if new: f.write('case\tvariant\trun\tcsc_s\tall_ours_s\texec001_s\tvsthrd_s\texec001_pct_csc\tall_ours_pct_csc\texec001_diags\tall_exec_diags\tload1\n')
    f.write(f'{case}\t{variant}\t{run}\t{csc:.2f}\t{ours:.3f}\t{e1:.3f}\t{vs:.3f}\t{100*e1/csc:.2f}\t{100*ours/csc:.2f}\t{n1}\t{len(diags)}\t{load}\n')
print(f'{case} {variant} run {run}: csc {csc:.1f}s ours {ours:.3f}s EXEC001 {e1:.3f}s = {100*e1/csc:.2f}% ; EXEC001 diags {n1}, all {len(diags)}; load {load}')
