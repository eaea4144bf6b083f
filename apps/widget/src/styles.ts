/**
 * The widget's styles, inside its Shadow DOM. `:host` resets everything the page could
 * inherit or impose on the host element (`!important`: the page's rules otherwise win there).
 */
export function widgetStyles(color: string, side: 'left' | 'right'): string {
  return `
:host { all: initial !important; position: fixed !important; bottom: 20px !important;
  ${side}: 20px !important; z-index: 2147483000 !important; display: block !important;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif !important; color: #1f2328 !important; }
* { box-sizing: border-box; }
button { font: inherit; cursor: pointer; }
.launcher { width: 56px; height: 56px; border-radius: 50%; border: 0; background: ${color}; color: #fff;
  box-shadow: 0 4px 14px rgba(0,0,0,.25); display: grid; place-items: center; margin-${side}: auto; }
.launcher svg { width: 26px; height: 26px; fill: currentColor; }
.launcher:focus-visible, button:focus-visible, textarea:focus-visible, a:focus-visible { outline: 3px solid #111; outline-offset: 2px; }
.panel { position: absolute; bottom: 70px; ${side}: 0; width: 370px; max-width: calc(100vw - 40px);
  height: 540px; max-height: calc(100vh - 110px); background: #fff; border-radius: 14px;
  box-shadow: 0 10px 40px rgba(0,0,0,.25); display: flex; flex-direction: column; overflow: hidden; }
.panel[hidden] { display: none; }
header { background: ${color}; color: #fff; padding: 12px 14px; display: flex; align-items: center; gap: 10px; }
header img { width: 28px; height: 28px; border-radius: 6px; object-fit: cover; background: #fff; }
header h2 { font-size: 16px; margin: 0; flex: 1; font-weight: 600; }
header button { background: transparent; border: 0; color: #fff; font-size: 22px; line-height: 1; padding: 4px 8px; }
.log { flex: 1; overflow-y: auto; padding: 14px; display: flex; flex-direction: column; gap: 10px; background: #f6f7f9; }
.message { max-width: 85%; padding: 9px 12px; border-radius: 12px; white-space: pre-wrap; word-wrap: break-word; }
.assistant { background: #fff; border: 1px solid #e3e6ea; align-self: flex-start; }
.user { background: ${color}; color: #fff; align-self: flex-end; }
.agent { background: #e9f5ee; border: 1px solid #b9dcc6; align-self: flex-start; }
.system { background: transparent; color: #555; font-size: 13px; align-self: center; text-align: center; }
header button.handoff { font-size: 13px; border: 1px solid rgba(255,255,255,.7); border-radius: 8px; padding: 4px 8px; }
header button.handoff[hidden] { display: none; }
.sources { margin: 8px 0 0; padding-left: 20px; font-size: 13px; }
.sources a { color: ${color}; }
.rating { display: flex; gap: 4px; margin-top: 6px; }
.rating button { background: transparent; border: 1px solid #e3e6ea; border-radius: 8px; padding: 2px 8px; font-size: 14px; line-height: 1.4; }
.rating button[aria-pressed="true"] { background: ${color}; border-color: ${color}; }
.excerpt { display: block; color: #555; font-size: 12px; margin-top: 4px; white-space: pre-wrap; }
.excerpt[hidden] { display: none; }
.typing { align-self: flex-start; background: #fff; border: 1px solid #e3e6ea; border-radius: 12px; padding: 10px 12px; }
.typing span { display: inline-block; width: 7px; height: 7px; margin: 0 2px; border-radius: 50%; background: #8a9099; animation: blink 1.2s infinite; }
.typing span:nth-child(2) { animation-delay: .2s; } .typing span:nth-child(3) { animation-delay: .4s; }
@keyframes blink { 0%, 80%, 100% { opacity: .3; } 40% { opacity: 1; } }
.status { font-size: 13px; padding: 6px 14px; background: #fff4e5; color: #7a4100; }
.status[hidden] { display: none; }
form { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #e3e6ea; background: #fff; }
textarea { flex: 1; resize: none; border: 1px solid #c9ced6; border-radius: 10px; padding: 8px 10px; font: inherit; height: 42px; color: #1f2328; background: #fff; }
form button { border: 0; border-radius: 10px; background: ${color}; color: #fff; padding: 0 14px; font-weight: 600; }
form button:disabled { opacity: .5; cursor: default; }
@media (max-width: 480px) {
  :host { bottom: 12px !important; ${side}: 12px !important; }
  .panel { position: fixed; inset: 0; width: 100vw; max-width: none; height: 100%; max-height: none; border-radius: 0; }
}
`;
}
