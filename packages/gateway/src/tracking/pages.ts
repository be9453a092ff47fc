/**
 * What /t/ serves to browsers: the landing page of a tracked link and beacon.js for operators'
 * own H5 pages. Both count nothing by being fetched: only their script, running in a browser
 * once the page is visible, posts the beacons (link-preview fetchers and HEAD requests run none).
 */

/** JSON for an inline <script>: nothing in it can close the script element. */
const inlineJson = (value: unknown) => JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface LandingConfig {
  /** Where the beacon posts the open: /t/<token>/open. */
  openUrl: string;
  target: string;
  token: string;
  /** Set after OAuth: the reader's openid and its MAC (the beacon cannot name another reader). */
  reader?: string;
  readerMac?: string;
}

/**
 * The landing page: once visible, post the open beacon, then replace itself with the target
 * (with `sl_t` and `sl_pv` added, so beacon.js on the target continues this page view).
 */
export function landingPage(c: LandingConfig): string {
  const script = `(function(c){
var pv="";try{var a=new Uint8Array(12);crypto.getRandomValues(a);for(var i=0;i<a.length;i++)pv+=("0"+a[i].toString(16)).slice(-2);}catch(e){pv=String(Math.random()).slice(2)+String(Date.now());}
var done=false;
function go(){if(done||(document.visibilityState&&document.visibilityState!=="visible"))return;done=true;
var b=JSON.stringify({pv:pv,reader:c.reader,rm:c.readerMac});var sent=false;
try{sent=navigator.sendBeacon(c.openUrl,new Blob([b],{type:"text/plain"}));}catch(e){}
if(!sent){try{fetch(c.openUrl,{method:"POST",body:b,keepalive:true,credentials:"omit"});}catch(e){}}
var t=c.target;try{var u=new URL(t);u.searchParams.set("sl_t",c.token);u.searchParams.set("sl_pv",pv);t=u.toString();}catch(e){}
setTimeout(function(){location.replace(t);},30);}
document.addEventListener("visibilitychange",go);go();
})(${inlineJson(c)});`;
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><meta name="referrer" content="no-referrer"><title></title></head><body><noscript><a href="${escapeHtml(c.target)}">${escapeHtml(c.target)}</a></noscript><script>${script}</script></body></html>`;
}

/**
 * beacon.js: add `<script src="https://<gateway>/t/beacon.js" async></script>` to an H5 page. On a
 * page opened with `?sl_t=<token>` (tracked links add it) it posts the open (unless the landing
 * page already did: `sl_pv` present), a heartbeat every 15 s of visible time, the dwell on
 * `pagehide`, and each link click.
 */
export const BEACON_SCRIPT = `(function(){
var s=document.currentScript;var base=s&&s.src?s.src.replace(/\\/t\\/beacon\\.js.*$/,""):"";
var q;try{q=new URLSearchParams(location.search);}catch(e){return;}
var t=q.get("sl_t");if(!t||!/^[A-Za-z0-9_-]{1,64}$/.test(t))return;
var pv=q.get("sl_pv");var counted=!!pv;
if(!pv){pv="";for(var i=0;i<24;i++)pv+=Math.floor(Math.random()*16).toString(16);}
function post(kind,data){data.pv=pv;var b=JSON.stringify(data);var u=base+"/t/"+t+"/"+kind;var ok=false;
try{ok=navigator.sendBeacon(u,new Blob([b],{type:"text/plain"}));}catch(e){}
if(!ok){try{fetch(u,{method:"POST",body:b,keepalive:true,credentials:"omit"});}catch(e){}}}
var shown=0,since=null,clicks=0;
function secs(){return Math.round((shown+(since===null?0:Date.now()-since))/1000);}
function vis(){if(document.visibilityState==="visible"){if(since===null)since=Date.now();if(!counted){counted=true;post("open",{});}}
else if(since!==null){shown+=Date.now()-since;since=null;}}
document.addEventListener("visibilitychange",vis);vis();
setInterval(function(){if(since!==null)post("beat",{s:secs()});},15000);
addEventListener("pagehide",function(){vis();post("leave",{s:secs()});});
document.addEventListener("click",function(e){var a=e.target&&e.target.closest?e.target.closest("a[href]"):null;if(a)post("click",{href:a.href,n:++clicks});},true);
})();`;
