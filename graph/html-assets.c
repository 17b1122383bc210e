/*
 * html-assets.c - the CSS and JavaScript inlined into the HTML report.
 *
 * The treemap is the squarified layout of Bruls, Huizing and van Wijk
 * ("Squarified Treemaps", 2000): lay children out in rows along the shorter
 * side, adding to a row while that does not worsen its worst aspect ratio.
 * One level is drawn with its children's children nested inside; a click
 * zooms in, the breadcrumb zooms out.  The findings table sorts on a header
 * click and filters on the search box; the URL fragment
 * (#q=TEXT&sort=COLUMN&asc=1) sets both, so a filtered view can be linked.
 * The graph pans (drag) and zooms (wheel) by changing the SVG's viewBox; a
 * click on a node lists its findings and its why-path; #node=ID&zoom=N
 * opens that view (the click goes through the same listener).  Plain ES5 and DOM calls, no
 * libraries, no network (the page's Content-Security-Policy forbids it).
 */
#include "html-assets.h"

const char html_css[] =
"body{font:13px/1.4 system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:0;color:#1f2328;background:#fff}\n"
"header{padding:12px 20px;background:#24292f;color:#fff}header h1{margin:0;font-size:18px}\n"
"header .sum{opacity:.85;margin-top:4px}\n"
"section{padding:10px 20px}h2{font-size:15px;margin:8px 0}\n"
"#crumbs span{cursor:pointer;color:#0969da}#crumbs span.cur{color:#1f2328;cursor:default;font-weight:600}\n"
"#treemap{position:relative;height:520px;border:1px solid #d0d7de;background:#f6f8fa;overflow:hidden}\n"
".tm-cell{position:absolute;box-sizing:border-box;border:1px solid #fff;overflow:hidden;font-size:11px;padding:2px 4px;color:#111;cursor:pointer}\n"
".tm-cell .lbl{white-space:nowrap;font-weight:600}.tm-cell .b{opacity:.75}\n"
".tm-sub{position:absolute;box-sizing:border-box;border:1px solid rgba(255,255,255,.7);overflow:hidden;font-size:10px;padding:1px 2px;white-space:nowrap}\n"
".f-unused{background:#f8b4b4!important}.f-prunable{background:#fcd9a8!important}\n"
"#ftable{border-collapse:collapse;width:100%}#ftable th,#ftable td{border-bottom:1px solid #d0d7de;padding:4px 6px;text-align:left;vertical-align:top}\n"
"#ftable th{cursor:pointer;background:#f6f8fa;user-select:none}#ftable td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
"#search{width:320px;padding:4px 6px;margin-bottom:6px}\n"
"#graph{overflow:hidden;border:1px solid #d0d7de;height:700px;cursor:grab}#graph svg{width:100%;height:100%}\n"
"#gsel{min-height:1.4em;margin:4px 0}#gsel ul{margin:2px 0}#gsel .why{font-family:monospace}\n"
"#graph g.node.sel path,#graph g.node.sel polygon{stroke:#0969da;stroke-width:5}\n"
".legend span{display:inline-block;padding:1px 6px;margin-right:6px;border-radius:3px}\n";

const char html_js[] =
"(function(){'use strict';\n"
"var data=JSON.parse(document.getElementById('slim-data').textContent);\n"
"function fmt(n){var u=['B','KiB','MiB','GiB','TiB'],i=0;while(n>=1024&&i<4){n/=1024;i++;}return (i?n.toFixed(1):String(n))+' '+u[i];}\n"
"function el(t,c,txt){var e=document.createElement(t);if(c)e.className=c;if(txt!==undefined)e.textContent=txt;return e;}\n"
"var pal=['#a5d6a7','#90caf9','#ce93d8','#ffe082','#80cbc4','#b0bec5','#f48fb1','#c5e1a5','#9fa8da','#bcaaa4'];\n"
"function color(k){var h=0;k=k||'';for(var i=0;i<k.length;i++)h=(h*31+k.charCodeAt(i))>>>0;return pal[h%pal.length];}\n"
"function worst(row,s,side){var mx=-Infinity,mn=Infinity;for(var i=0;i<row.length;i++){mx=Math.max(mx,row[i].a);mn=Math.min(mn,row[i].a);}\n"
"var s2=s*s,d2=side*side;return Math.max(d2*mx/s2,s2/(d2*mn));}\n"
"function squarify(items,x,y,w,h){var out=[],tot=0,i;for(i=0;i<items.length;i++)tot+=items[i].bytes;\n"
"if(tot<=0||w<=0||h<=0)return out;var sc=w*h/tot,rest=[];\n"
"for(i=0;i<items.length;i++)if(items[i].bytes>0)rest.push({it:items[i],a:items[i].bytes*sc});\n"
"i=0;while(i<rest.length){var side=Math.min(w,h),row=[rest[i]],sum=rest[i].a,j=i+1,wr=worst(row,sum,side);\n"
"while(j<rest.length){var nr=row.concat([rest[j]]),ns=sum+rest[j].a,nw=worst(nr,ns,side);if(nw>wr)break;row=nr;sum=ns;wr=nw;j++;}\n"
"var th=sum/side,off=0;for(var k=0;k<row.length;k++){var len=row[k].a/th;\n"
"if(w>=h)out.push({it:row[k].it,x:x,y:y+off,w:th,h:len});else out.push({it:row[k].it,x:x+off,y:y,w:len,h:th});off+=len;}\n"
"if(w>=h){x+=th;w-=th;}else{y+=th;h-=th;}i=j;}return out;}\n"
"var tm=document.getElementById('treemap'),crumbs=document.getElementById('crumbs'),stack=[data.treemap];\n"
"while(stack[stack.length-1].children&&stack[stack.length-1].children.length===1&&stack[stack.length-1].children[0].children)stack.push(stack[stack.length-1].children[0]);\n"
"function cls(n){return n.finding?' f-'+n.finding:'';}\n"
"function title(n){return n.name+(n.id&&n.id!==n.name?' ('+n.id+')':'')+': '+fmt(n.bytes)+(n.finding?' ['+n.finding+']':'');}\n"
"function drawCrumbs(){crumbs.textContent='';stack.forEach(function(n,i){if(i)crumbs.appendChild(document.createTextNode(' / '));\n"
"var s=el('span',i===stack.length-1?'cur':'',n.name+' ('+fmt(n.bytes)+')');\n"
"if(i<stack.length-1)s.onclick=function(){stack.length=i+1;draw();};crumbs.appendChild(s);});}\n"
"function draw(){var cur=stack[stack.length-1];tm.textContent='';drawCrumbs();\n"
"var W=tm.clientWidth||1200,H=tm.clientHeight||520,cells=squarify(cur.children||[cur],0,0,W,H),n=0;\n"
"cells.forEach(function(c){var d=el('div','tm-cell'+cls(c.it));d.style.left=c.x+'px';d.style.top=c.y+'px';\n"
"d.style.width=c.w+'px';d.style.height=c.h+'px';d.style.background=color(c.it.kind);d.title=title(c.it);\n"
"if(c.w>40&&c.h>14){d.appendChild(el('div','lbl',c.it.name));if(c.h>28)d.appendChild(el('div','b',fmt(c.it.bytes)));}\n"
"if(c.it.children&&c.w>60&&c.h>50){squarify(c.it.children,3,30,c.w-8,c.h-34).forEach(function(s){\n"
"var e=el('div','tm-sub'+cls(s.it));e.style.left=s.x+'px';e.style.top=s.y+'px';e.style.width=s.w+'px';e.style.height=s.h+'px';\n"
"e.style.background=color(s.it.kind);e.title=title(s.it);if(s.w>50&&s.h>12)e.textContent=s.it.name;d.appendChild(e);});}\n"
"if(c.it.children)d.onclick=function(){stack.push(c.it);draw();};tm.appendChild(d);n++;});\n"
"document.getElementById('tm-status').textContent=n+' areas';}\n"
"var rows=data.findings.slice(),key='bytes',asc=false,tb=document.querySelector('#ftable tbody'),q=document.getElementById('search');\n"
"var cols=['kind','node','dependent','bytes','confidence','reason','fix'];\n"
"function fill(){var s=q.value.toLowerCase();rows.sort(function(a,b){var x=a[key],y=b[key];\n"
"if(x===y)return a.node<b.node?-1:a.node>b.node?1:0;if(x===null||x===undefined)x='';if(y===null||y===undefined)y='';\n"
"var r=typeof x==='number'?x-y:(x<y?-1:1);return asc?r:-r;});tb.textContent='';var shown=0;\n"
"rows.forEach(function(f){var txt=cols.map(function(c){return f[c]===null||f[c]===undefined?'':String(f[c]);});\n"
"if(s&&txt.join(' ').toLowerCase().indexOf(s)<0)return;var tr=el('tr');\n"
"cols.forEach(function(c,i){tr.appendChild(el('td',c==='bytes'?'n':'',c==='bytes'?fmt(f.bytes):txt[i]));});tb.appendChild(tr);shown++;});\n"
"document.getElementById('f-status').textContent=shown+' of '+rows.length+' findings';}\n"
"document.querySelectorAll('#ftable th').forEach(function(th){th.onclick=function(){var k=th.getAttribute('data-k');\n"
"if(k===key)asc=!asc;else{key=k;asc=k!=='bytes';}fill();};});q.oninput=fill;\n"
"/* a view can be linked: #q=TEXT&sort=COLUMN&asc=1 */\n"
"location.hash.replace(/^#/,'').split('&').forEach(function(kv){var i=kv.indexOf('='),k=kv.slice(0,i),v=decodeURIComponent(kv.slice(i+1));\n"
"if(k==='q')q.value=v;else if(k==='sort'&&cols.indexOf(v)>=0)key=v;else if(k==='asc')asc=v==='1';});\n"
"document.getElementById('summary').textContent=data.summary;\n"
"/* the graph: wheel zooms around the pointer, drag pans (both on the viewBox);\n"
"   a click on a node shows its findings and why-path (data.why: the node\n"
"   before each on a shortest path from the roots); #node=ID&zoom=N links a view */\n"
"var svg=document.querySelector('#graph svg'),gsel=document.getElementById('gsel');\n"
"if(svg){var vb=svg.viewBox.baseVal,V=[vb.x,vb.y,vb.width,vb.height];svg.removeAttribute('width');svg.removeAttribute('height');\n"
"var setV=function(){svg.setAttribute('viewBox',V.join(' '));};\n"
"var zoom=function(f,px,py){var nw=V[2]/f,nh=V[3]/f;V[0]+=(V[2]-nw)*px;V[1]+=(V[3]-nh)*py;V[2]=nw;V[3]=nh;setV();};\n"
"svg.addEventListener('wheel',function(e){e.preventDefault();var r=svg.getBoundingClientRect();\n"
"zoom(e.deltaY<0?1.25:0.8,(e.clientX-r.left)/(r.width||1),(e.clientY-r.top)/(r.height||1));});\n"
"var drag=null;svg.addEventListener('mousedown',function(e){drag=[e.clientX,e.clientY];});\n"
"window.addEventListener('mouseup',function(){drag=null;});\n"
"svg.addEventListener('mousemove',function(e){if(!drag)return;var r=svg.getBoundingClientRect(),s=Math.max(V[2]/(r.width||1),V[3]/(r.height||1));\n"
"V[0]-=(e.clientX-drag[0])*s;V[1]-=(e.clientY-drag[1])*s;drag=[e.clientX,e.clientY];setV();});\n"
"var why=function(id){var p=[id],seen={};while(data.why[p[0]]&&!seen[p[0]]){seen[p[0]]=1;p.unshift(data.why[p[0]]);}return p;};\n"
"var nodes={};svg.querySelectorAll('g.node').forEach(function(g){var t=g.querySelector('title');\n"
"if(!t||g.classList.contains('legend'))return;var id=t.textContent;nodes[id]=g;g.style.cursor='pointer';\n"
"g.addEventListener('click',function(){Object.keys(nodes).forEach(function(k){nodes[k].classList.remove('sel');});g.classList.add('sel');\n"
"gsel.textContent='';gsel.appendChild(el('b','',id));var ul=el('ul','',undefined),n=0;\n"
"data.findings.forEach(function(f){if(f.node!==id)return;n++;ul.appendChild(el('li','',f.kind+' ('+f.confidence+', '+fmt(f.bytes)+'): '+f.reason+'; fix: '+f.fix));});\n"
"if(!n)ul.appendChild(el('li','','no finding'));gsel.appendChild(ul);gsel.appendChild(el('div','why','why: '+why(id).join(' -> ')));});});\n"
"location.hash.replace(/^#/,'').split('&').forEach(function(kv){var i=kv.indexOf('='),k=kv.slice(0,i),v=decodeURIComponent(kv.slice(i+1));\n"
"if(k==='zoom'&&+v>0)zoom(+v,0.5,0.5);else if(k==='node'&&nodes[v])nodes[v].dispatchEvent(new MouseEvent('click',{bubbles:true}));});}\n"
"draw();fill();window.addEventListener('resize',draw);document.body.setAttribute('data-ready','1');})();\n";
