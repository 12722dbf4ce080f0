import json, collections, re, sys
fn=sys.argv[1]; rule=sys.argv[2]
d=json.load(open(fn))
frames=[f['name'] for f in d['shared']['frames']]
short=[re.sub(r'\(.*','',n.split('!',1)[-1]).replace('Executor.Analyzers.','').replace('Microsoft.CodeAnalysis.','MCA.') for n in frames]
ours=[ '!Executor.Analyzers.' in n for n in frames]
cat=collections.Counter(); own=collections.Counter(); owninc=collections.Counter(); tot=[0]
BIND=('SemanticModel.GetOperation','SemanticModel.GetSymbolInfo','GetDeclaredSymbol','ModelExtensions.GetSymbolInfo','CSharpExtensions.GetSymbolInfo','SemanticModel.GetTypeInfo','ModelExtensions.GetTypeInfo','SemanticModel.AnalyzeDataFlow','ControlFlowGraph.Create','GetConstantValue')
def sample(stack,dt):
    ent=[f for f in stack if ours[f]]
    if rule not in short[ent[0]]: return
    tot[0]+=dt
    leaf=short[stack[-1]] if short[stack[-1]] not in ('CPU_TIME','UNMANAGED_CODE_TIME') else short[stack[-2]]
    if 'PollGC' in leaf or 'Monitor.Enter' in leaf or 'WaitOne' in leaf: cat['gc/lock wait']+=dt; return
    first=min(i for i,f in enumerate(stack) if ours[f])
    for f in stack[first:]:
        if not ours[f] and 'ReportDiagnostic' in short[f]: cat['driver ReportDiagnostic (generated-code check)']+=dt; return
        if not ours[f] and any(b in short[f] for b in BIND): cat['binding (GetOperation/GetSymbolInfo/...)']+=dt; return
    cat['own code + cheap Roslyn calls']+=dt
    for i in range(len(stack)-1,-1,-1):
        if ours[stack[i]]: own[short[stack[i]]]+=dt; break
    for s in set(short[f] for f in stack if ours[f]): owninc[s]+=dt
for p in d['profiles']:
    stack=[]; last=None
    for e in p['events']:
        t=e['at']
        if last is not None and stack and any(ours[f] for f in stack): sample(stack,t-last)
        last=t
        if e['type']=='O': stack.append(e['frame'])
        else:
            if stack and stack[-1]==e['frame']: stack.pop()
            elif e['frame'] in stack:
                i=len(stack)-1-stack[::-1].index(e['frame']); del stack[i:]
print(rule,'total %.0f'%tot[0])
for k,v in cat.most_common(): print('  %5.1f%% %s'%(100*v/tot[0],k))
o=cat['own code + cheap Roslyn calls']
print('own, by deepest frame (% of EXEC001 total):')
for k,v in own.most_common(25): print('  %5.1f%% %s'%(100*v/tot[0],k))
print('own, inclusive:')
for k,v in owninc.most_common(40): print('  %5.1f%% %s'%(100*v/tot[0],k))
