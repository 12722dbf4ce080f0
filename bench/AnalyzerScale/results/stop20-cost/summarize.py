import csv, sys, statistics as st
rows=list(csv.DictReader(open(sys.argv[1]), delimiter='\t'))
def med(xs): return st.median(xs) if xs else float('nan')
cases=sorted(set(r['case'] for r in rows), key=lambda c:int(c.split('-')[1]))
print('| case | variant | builds | Csc s (median) | EXEC001 s | EXEC001 / Csc (median) | each build | all 7 rules / Csc | EXEC001 diagnostics | load (1 min) |')
print('|---|---|---|---|---|---|---|---|---|---|')
for c in cases:
    for v in ('base','new'):
        rs=[r for r in rows if r['case']==c and r['variant']==v]
        if not rs: continue
        f=lambda k:[float(r[k]) for r in rs]
        print(f"| {c} | {v} | {len(rs)} | {med(f('csc_s')):.1f} | {med(f('exec001_s')):.3f} | **{med(f('exec001_pct_csc')):.2f}%** | {', '.join(r['exec001_pct_csc']+'%' for r in rs)} | {med(f('all_ours_pct_csc')):.2f}% | {'/'.join(sorted(set(r['exec001_diags'] for r in rs)))} | {', '.join(r['load1'] for r in rs)} |")
print()
print('| case | run | EXEC001 / Csc, base | new | new/base (share of Csc) | new/base (EXEC001 s) |')
print('|---|---|---|---|---|---|')
for c in cases:
    ratios=[]; sr=[]
    for run in sorted(set(r['run'] for r in rows if r['case']==c)):
        b=[r for r in rows if r['case']==c and r['run']==run and r['variant']=='base']
        n=[r for r in rows if r['case']==c and r['run']==run and r['variant']=='new']
        if b and n:
            b,n=b[0],n[0]
            rp=float(n['exec001_pct_csc'])/float(b['exec001_pct_csc']); rs_=float(n['exec001_s'])/float(b['exec001_s'])
            ratios.append(rp); sr.append(rs_)
            print(f"| {c} | {run} | {b['exec001_pct_csc']}% | {n['exec001_pct_csc']}% | {rp:.2f} | {rs_:.2f} |")
    if ratios: print(f"| {c} | **median** | | | **{med(ratios):.2f}** | **{med(sr):.2f}** |")
