/* NagarSetu web chat: a visitor token, an outbox of messages and a polled reply feed.
 *
 * Talks only to its own origin: POST /webchat/session, POST <post_url>, and
 * GET /webchat/<account>/messages. Every message the citizen sends gets a client id once;
 * retries reuse it, so the gateway's dedupe makes a retried message count exactly once.
 */
(function () {
  "use strict";

  // Page chrome only; its labels, like everything the bot says, come from the gateway's
  // catalogs (inlined into the page by the server, so they work even when it is unreachable).
  const UI = JSON.parse(document.getElementById("labels").textContent);
  const RTL = new Set(["ur", "ar", "fa", "he", "ks", "sd", "ps", "dv"]);
  const PAGE_SIZE = 200;
  const OPEN_PAYLOAD = "__open__";
  const POLL = { awaiting: 400, active: 1500, idle: 15000, hidden: 60000, error: 30000 };
  const AWAIT_LIMIT_MS = 20000;
  const REQUEST_TIMEOUT_MS = 15000;

  const $ = (id) => document.getElementById(id);
  const el = {
    log: $("log"), list: $("messages"), typing: $("typing"), announcer: $("announcer"),
    banner: $("banner"), bannerText: $("banner-text"), retry: $("retry"), city: $("city"),
    form: $("composer"), input: $("input"), send: $("send"), menu: $("menu"),
    inputLabel: $("input-label"), logLabel: $("log-label"), brand: $("brand"), contact: $("contact"),
    photo: $("photo"), photoFile: $("photo-file"),
    attachments: $("attachments"),
  };
  const PHOTO_TYPES = new Set(["image/jpeg", "image/png", "image/webp"]);
  const LOCATE = "__location__"; // the bot's "share location" option

  const tenantParam = new URLSearchParams(location.search).get("tenant") || "";
  const storageKey = "nagarsetu.webchat." + (tenantParam || "default");

  const S = {
    token: null, account: null, postUrl: null, names: {}, contactLines: {}, defaultLang: "en",
    lang: "en", dir: null, seen: new Set(), refs: new Set(), local: new Map(),
    queue: [], pumping: false, latestMs: 0, loaded: false, fatal: false,
    polling: false, pollAgain: false, pollTimer: 0, pollDelay: POLL.active, pollErrors: 0,
    awaitingSince: 0, offline: new Set(), notice: "", wakers: new Set(),
    keyboardChoice: false,
  };

  // ---- storage ----------------------------------------------------------------------------
  function loadSaved() {
    try {
      const saved = JSON.parse(localStorage.getItem(storageKey) || "{}");
      return saved && typeof saved === "object" ? saved : {};
    } catch (_) {
      return {};
    }
  }

  function save() {
    const outbox = S.queue.map((m) => ({ id: m.id, text: m.text, payload: m.payload }));
    try {
      localStorage.setItem(storageKey, JSON.stringify({ token: S.token, outbox }));
    } catch (_) { /* storage full or disabled: the conversation just won't survive a reload */ }
  }

  function newId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return "w" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function visitorOf(token) {
    return (token || "").split(".")[0];
  }

  function openerId() {
    // One opener per visitor, ever: derived from the token's visitor part.
    const visitor = visitorOf(S.token).replace(/[^A-Za-z0-9_-]/g, "").slice(0, 56);
    return visitor.length >= 8 ? "open-" + visitor : newId();
  }

  // ---- language ---------------------------------------------------------------------------
  function t(key) {
    return (UI[S.lang] || UI.en)[key] || UI.en[key];
  }

  function dirFor(lang) {
    if (lang === S.lang && S.dir) return S.dir;
    return RTL.has(String(lang || "").split("-")[0]) ? "rtl" : "ltr";
  }

  function setLanguage(lang, dir) {
    S.lang = lang || S.defaultLang || "en";
    S.dir = dir || null;
    const root = document.documentElement;
    root.lang = S.lang;
    root.dir = dirFor(S.lang);
    el.input.placeholder = t("placeholder");
    el.inputLabel.textContent = t("message");
    el.logLabel.textContent = t("conversation");
    el.send.textContent = t("send");
    el.menu.textContent = t("menu");
    el.retry.textContent = t("retry");
    el.photo.textContent = t("addPhoto");
    el.city.textContent = S.names[S.lang] || S.names[S.defaultLang] || S.names.en || "";
    const contact = S.contactLines[S.lang] || S.contactLines[S.defaultLang] || [];
    el.contact.textContent = contact.join(" · ");
    el.contact.hidden = contact.length === 0;
    el.brand.textContent = t("brand");
    el.brand.lang = S.lang;
    document.title = t("brand");
    for (const group of el.list.querySelectorAll(".choices")) {
      group.setAttribute("aria-label", t("options"));
    }
    renderBanner();
  }

  function timeLabel(iso) {
    const ms = parseAt(iso);
    if (!ms) return "";
    try {
      // Latin digits, as in the messages themselves (dates, amounts and grievance numbers are
      // written with them in every language): Urdu's default would be ۱۱:۲۸ beside 2026.
      return new Intl.DateTimeFormat(S.lang + "-IN", { hour: "numeric", minute: "2-digit",
                                                       numberingSystem: "latn" })
        .format(new Date(ms));
    } catch (_) {
      return new Date(ms).toLocaleTimeString();
    }
  }

  function parseAt(iso) {
    // Python gives microseconds; keep milliseconds so every browser parses it.
    return iso ? Date.parse(String(iso).replace(/(\.\d{3})\d+/, "$1")) || 0 : 0;
  }

  // ---- network ----------------------------------------------------------------------------
  async function request(url, init) {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), REQUEST_TIMEOUT_MS);
    try {
      return await fetch(url, { ...init, signal: ctl.signal, credentials: "same-origin",
                                cache: "no-store" });
    } finally {
      clearTimeout(timer);
    }
  }

  function authHeaders(extra) {
    return { ...extra, Authorization: "Bearer " + S.token };
  }

  function sleep(ms) {
    // Resolves early when the citizen presses "Retry now" or the browser comes back online.
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        S.wakers.delete(done);
        resolve();
      }
      S.wakers.add(done);
    });
  }

  function wake() {
    for (const done of [...S.wakers]) done();
    pollSoon(0);
  }

  function backoff(attempt, cap) {
    const base = Math.min(cap, 1000 * 2 ** Math.min(attempt, 6));
    return base / 2 + Math.random() * (base / 2);
  }

  function setOffline(source, down) {
    if (down) S.offline.add(source); else S.offline.delete(source);
    renderBanner();
  }

  function renderBanner() {
    if (S.fatal) return;
    const stick = isNearBottom();
    const offline = S.offline.size > 0;
    el.banner.hidden = !offline && !S.notice;
    el.retry.hidden = !offline;
    if (offline) {
      el.bannerText.textContent = S.queue.some((m) => m.text) ? t("offlineKept") : t("offline");
    } else {
      el.bannerText.textContent = S.notice ? t(S.notice) : "";
    }
    scrollDown(stick); // the banner changes the log's height: stay at the newest message
  }

  function fatal(key) {
    S.notice = key;
    renderBanner();
    S.fatal = true;
    el.send.disabled = true;
    el.input.disabled = true;
    el.menu.disabled = true;
  }

  async function openSession() {
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await request("/webchat/session", {
          method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ tenant: tenantParam || null, token: S.token }),
        });
        if (response.status === 404) {
          fatal("noCity");
          return false;
        }
        if (!response.ok) throw new Error("session " + response.status);
        const data = await response.json();
        // Tokens are renewed on every open; only another visitor means another conversation.
        if (S.token && visitorOf(data.token) !== visitorOf(S.token)) forgetConversation();
        S.token = data.token;
        S.account = data.account;
        S.postUrl = data.post_url;
        S.names = data.tenant_names || {};
        S.contactLines = data.contact_lines || {};
        S.defaultLang = data.default_language || "en";
        S.photoMaxBytes = data.photo_max_bytes || 10 * 1024 * 1024;
        save();
        setOffline("session", false);
        if (!S.seen.size) setLanguage(S.defaultLang, null);
        return true;
      } catch (_) {
        setOffline("session", true);
        await sleep(backoff(attempt, POLL.error));
      }
    }
  }

  function forgetConversation() {
    // The old token was refused: its history is no longer ours to show.
    el.list.replaceChildren();
    S.seen.clear();
    S.refs.clear();
    S.latestMs = 0;
    for (const item of S.queue) if (item.text) addLocal(item);
  }

  // ---- sending ----------------------------------------------------------------------------
  function send(text, payload, lang, extra) {
    if (S.fatal) return;
    const item = { id: newId(), text, payload: payload || null, ...(extra || {}) };
    S.queue.push(item);
    save();
    addLocal(item, lang);
    refreshChoices();
    scrollDown(true);
    pump();
  }

  async function pump() {
    if (S.pumping) return;
    S.pumping = true;
    let attempt = 0;
    try {
      while (S.queue.length && !S.fatal) {
        const item = S.queue[0];
        const outcome = await post(item);
        if (outcome === "again" && attempt < 3) {
          attempt++;
          continue; // a fresh token or account: send the same message id again right away
        }
        if (outcome === "retry" || outcome === "again") {
          setOffline("send", true);
          await sleep(backoff(attempt++, POLL.error));
          continue;
        }
        attempt = 0;
        S.notice = outcome === "ok" ? "" : "rejected";
        setOffline("send", false);
        S.queue.shift();
        save();
        const bubble = S.local.get(item.id);
        if (outcome === "ok") {
          if (bubble) setState(bubble, "sent");
          if (!S.refs.has(item.id)) { // a retry whose first try got through is already answered
            S.awaitingSince = Date.now();
            showTyping(true);
          }
          pollSoon(0);
        } else if (bubble) {
          S.local.delete(item.id);
          delete bubble.dataset.ref; // no longer waiting: later messages go after it
          bubble.classList.add("failed");
          setState(bubble, "failed");
          refreshChoices();
        }
      }
    } finally {
      S.pumping = false;
      renderBanner();
    }
  }

  async function post(item) {
    const body = { id: item.id, text: item.text };
    if (item.payload) body.payload = item.payload;
    if (item.photo) body.photo = item.photo;
    if (item.location) body.location = item.location;
    let response;
    try {
      response = await request(S.postUrl, {
        method: "POST", headers: authHeaders({ "Content-Type": "application/json" }),
        body: JSON.stringify(body),
      });
    } catch (_) {
      return "retry";
    }
    if (response.ok) return "ok";
    if (response.status === 401 || response.status === 403 || response.status === 404) {
      const before = visitorOf(S.token) + " " + S.postUrl;
      if (!(await openSession())) return "rejected";
      return before !== visitorOf(S.token) + " " + S.postUrl ? "again" : "rejected";
    }
    if (response.status === 408 || response.status === 429 || response.status >= 500) {
      return "retry";
    }
    return "rejected";
  }

  // ---- receiving --------------------------------------------------------------------------
  function pollSoon(ms) {
    clearTimeout(S.pollTimer);
    if (S.loaded && !S.fatal) S.pollTimer = setTimeout(poll, ms);
  }

  async function poll() {
    clearTimeout(S.pollTimer);
    if (S.polling) {
      S.pollAgain = true;
      return;
    }
    S.polling = true;
    S.pollAgain = false;
    let next;
    try {
      next = await pollOnce();
    } finally {
      S.polling = false;
    }
    pollSoon(S.pollAgain ? 0 : next);
  }

  /** Fetch new messages once; returns the delay before the next poll. */
  async function pollOnce() {
    const after = S.latestMs ? "?after=" + encodeURIComponent(
      new Date(S.latestMs - 2000).toISOString()) : "";
    let data;
    try {
      const response = await request(`/webchat/${encodeURIComponent(S.account)}/messages${after}`,
                                      { headers: authHeaders({}) });
      if (response.status === 401 || response.status === 403 || response.status === 404) {
        const before = visitorOf(S.token) + " " + S.account;
        const renewed = (await openSession()) && before !== visitorOf(S.token) + " " + S.account;
        return renewed ? 0 : backoff(++S.pollErrors, POLL.error);
      }
      if (!response.ok) throw new Error("messages " + response.status);
      data = await response.json();
    } catch (_) {
      setOffline("poll", true);
      return backoff(++S.pollErrors, POLL.error);
    }
    S.pollErrors = 0;
    setOffline("poll", false);
    const added = apply(data);
    if (added.any && data.messages.length >= PAGE_SIZE) return 0;
    if (S.awaitingSince && Date.now() - S.awaitingSince > AWAIT_LIMIT_MS) {
      S.awaitingSince = 0;
      showTyping(false);
    }
    if (S.awaitingSince) return POLL.awaiting;
    if (added.any) S.pollDelay = POLL.active;
    else S.pollDelay = Math.min(S.pollDelay * 1.5, document.hidden ? POLL.hidden : POLL.idle);
    return S.pollDelay;
  }

  function apply(data) {
    const added = { any: false, bot: 0 };
    if (data.language !== undefined && (data.language || S.defaultLang) !== S.lang) {
      setLanguage(data.language, data.dir);
    } else if (data.dir) {
      S.dir = data.dir;
    }
    const nearBottom = isNearBottom();
    for (const m of data.messages || []) {
      S.latestMs = Math.max(S.latestMs, parseAt(m.at));
      if (S.seen.has(m.id)) continue;
      S.seen.add(m.id);
      added.any = true;
      if (m.direction === "in") {
        if (m.ref) S.refs.add(m.ref);
        const mine = m.ref && S.local.get(m.ref);
        if (mine) {
          S.local.delete(m.ref);
          mine.dataset.id = m.id;
          setState(mine, "");
          setTime(mine, m.at);
        } else if (m.text.trim() || m.attachment) {
          const node = bubble("me", m.text.trim() ? m.text : t(m.attachment), m.at, S.lang, m.id);
          node.dataset.state = "delivered";
          insert(node, m.payload);
        }
      } else {
        added.bot += 1;
        const node = bubble("bot", m.text, m.at, m.language || S.lang, m.id, m.choices);
        if (m.image) node.querySelector(".bubble").prepend(picture(m.image));
        node.dataset.ask = m.ask || "none";
        insert(node, null);
        if (S.loaded) announce(m);
      }
    }
    if (added.bot && S.awaitingSince) {
      S.awaitingSince = 0;
      showTyping(false);
    }
    if (added.any) {
      refreshChoices();
      scrollDown(nearBottom || !S.loaded);
    }
    if (added.bot && S.keyboardChoice) focusNewest();
    return added;
  }

  // ---- rendering --------------------------------------------------------------------------
  // A picture the bot sent (a UPI QR to scan); the text beside it says what it is.
  function picture(url) {
    const img = document.createElement("img");
    img.className = "picture";
    img.src = url;
    img.alt = "";
    img.width = 240;
    img.height = 240;
    return img;
  }

  function bubble(who, text, at, lang, id, choices) {
    const li = document.createElement("li");
    li.className = "msg " + who;
    if (id) li.dataset.id = id;
    li.lang = lang;
    li.dir = dirFor(lang);
    const box = document.createElement("div");
    box.className = "bubble";
    const speaker = document.createElement("span");
    speaker.className = "sr-only";
    speaker.textContent = who === "me" ? t("you") : t("bot");
    const body = document.createElement("p");
    body.className = "text";
    const refs = who === "bot" ? withRefs(body, text) : (body.textContent = text, []);
    box.append(speaker, body);
    for (const ref of new Set(refs)) box.append(copyButton(ref));
    li.append(box);
    if (choices && choices.length) {
      const group = document.createElement("div");
      group.className = "choices";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", t("options"));
      for (const choice of choices) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "choice";
        button.dataset.choice = choice.id;
        button.textContent = choice.label;
        group.append(button);
      }
      li.append(group);
    }
    const meta = document.createElement("div");
    meta.className = "meta";
    const time = document.createElement("time");
    const state = document.createElement("span");
    state.className = "state";
    meta.append(time, state);
    li.append(meta);
    setTime(li, at);
    return li;
  }

  // A grievance number (`PB-AMR-2026-000003`: the city's code, the year, six digits) is what a
  // citizen must keep: never split across lines, selected whole by one tap, and copyable.
  const REF = /[A-Z][A-Z0-9]{0,7}(?:-[A-Z0-9]{1,7}){0,2}-\d{4}-\d{6}/g;

  function withRefs(body, text) {
    const refs = [];
    let last = 0;
    for (const match of text.matchAll(REF)) {
      const ref = document.createElement("span");
      ref.className = "ref";
      ref.dir = "ltr"; // kept whole and left to right inside Urdu text too
      ref.textContent = match[0];
      body.append(text.slice(last, match.index), ref);
      refs.push(match[0]);
      last = match.index + match[0].length;
    }
    body.append(text.slice(last));
    return refs;
  }

  function copyButton(ref) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.dataset.copy = ref;
    button.textContent = t("copy");
    button.setAttribute("aria-label", `${t("copy")}: ${ref}`);
    return button;
  }

  async function copyRef(button) {
    const ref = button.dataset.copy;
    let copied = false;
    try {
      await navigator.clipboard.writeText(ref);
      copied = true;
    } catch (error) { // no clipboard API (plain http): select the number and copy that
      const span = [...button.parentNode.querySelectorAll(".ref")].find((n) => n.textContent === ref);
      if (span) {
        const range = document.createRange();
        range.selectNodeContents(span);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
        copied = document.execCommand("copy");
      }
    }
    if (!copied) return;
    button.textContent = t("copied");
    announce({ text: t("copied") });
    setTimeout(() => { button.textContent = t("copy"); }, 2500);
  }

  function setTime(li, at) {
    const time = li.querySelector("time");
    if (!at || !time) return;
    time.dateTime = at;
    time.textContent = timeLabel(at);
  }

  function setState(li, state) {
    li.querySelector(".state").textContent = state ? t(state) : "";
    li.dataset.state = state || "delivered";
  }

  function addLocal(item, lang) {
    const label = item.text || (item.photo ? t("photo") : item.location ? t("location") : "");
    if (!label) return; // the hidden opener has no bubble
    const li = bubble("me", label, null, lang || S.lang, null);
    li.dataset.ref = item.id;
    S.local.set(item.id, li);
    setState(li, "sending");
    el.list.append(li);
    markChosen(li, item.payload);
  }

  function insert(li, payload) {
    // Server messages go before bubbles still waiting for the gateway's confirmation.
    const firstPending = el.list.querySelector("li[data-ref]:not([data-id])");
    el.list.insertBefore(li, firstPending);
    if (payload) markChosen(li, payload);
  }

  function markChosen(li, payload) {
    if (!payload) return;
    for (let prev = li.previousElementSibling; prev; prev = prev.previousElementSibling) {
      if (prev.classList.contains("me")) return;
      const button = prev.querySelector(`.choice[data-choice="${CSS.escape(payload)}"]`);
      if (button) {
        if (!button.classList.contains("chosen")) {
          button.classList.add("chosen");
          const note = document.createElement("span");
          note.className = "sr-only";
          note.textContent = " " + t("chosen");
          button.append(note);
        }
        return;
      }
    }
  }

  /** Only the newest unanswered set of buttons stays active. */
  function refreshChoices() {
    let answered = false;
    let activeTaken = false;
    let ask = null;
    for (let li = el.list.lastElementChild; li; li = li.previousElementSibling) {
      if (li.classList.contains("me")) {
        answered = answered || !li.classList.contains("failed"); // refused: not an answer
        continue;
      }
      if (!answered && ask === null) ask = li.dataset.ask || "none";
      const group = li.querySelector(".choices");
      if (!group) continue;
      const active = !answered && !activeTaken;
      activeTaken = true;
      group.classList.toggle("answered", !active);
      for (const button of group.querySelectorAll("button")) button.disabled = !active;
    }
    el.input.inputMode = ask === "number" ? "numeric" : "text";
    // The bot asks for a photo: offer the file picker (typing and Skip stay possible). A
    // location is asked with the bot's own "share location" choice, which the page answers.
    el.photo.hidden = ask !== "photo" || !S.loaded;
    el.attachments.hidden = el.photo.hidden;
  }

  // ---- photo and location -----------------------------------------------------------------
  function notify(key) {
    S.notice = key;
    renderBanner();
  }

  // A camera photo is often 3-8 MB: sent as is it takes minutes on a slow connection, so a
  // large one is redrawn at most PHOTO_EDGE pixels on its longer side, as a JPEG.
  const PHOTO_EDGE = 1600;
  const PHOTO_SHRINK_ABOVE = 1024 * 1024;

  async function smaller(file) {
    if (file.size <= PHOTO_SHRINK_ABOVE || !window.createImageBitmap) return file;
    try {
      const image = await createImageBitmap(file);
      const scale = Math.min(1, PHOTO_EDGE / Math.max(image.width, image.height));
      const canvas = document.createElement("canvas");
      canvas.width = Math.round(image.width * scale);
      canvas.height = Math.round(image.height * scale);
      canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
      image.close();
      const blob = await new Promise((done) => canvas.toBlob(done, "image/jpeg", 0.82));
      return blob && blob.size < file.size ? blob : file;
    } catch (_) {
      return file; // not decodable here: the gateway judges the bytes
    }
  }

  async function sendPhoto(chosen) {
    if (!PHOTO_TYPES.has(chosen.type)) return notify("photoType");
    el.photo.disabled = true;
    const file = await smaller(chosen);
    el.photo.disabled = false;
    if (file.size > S.photoMaxBytes) return notify("photoTooLarge");
    el.photo.disabled = true;
    let response;
    try {
      response = await request("/webchat/photos/" + encodeURIComponent(S.account), {
        method: "POST", headers: authHeaders({ "Content-Type": file.type }), body: file,
      });
    } catch (_) {
      response = null;
    } finally {
      el.photo.disabled = false;
    }
    if (!response || !response.ok) {
      const code = response && response.status === 413 ? "photoTooLarge"
        : response && response.status === 415 ? "photoType" : "photoFailed";
      return notify(code);
    }
    const data = await response.json();
    notify("");
    send("", null, S.lang, { photo: data.photo });
  }

  function shareLocation(button) {
    const label = button.textContent;
    const done = () => {
      button.disabled = false;
      button.textContent = label;
    };
    const fallback = () => {
      done();
      notify("locationFailed");
      el.input.focus(); // a typed landmark, or the bot's other options, still answer
    };
    if (!navigator.geolocation) return fallback();
    button.disabled = true;
    button.textContent = t("locating");
    navigator.geolocation.getCurrentPosition((position) => {
      done();
      notify("");
      const { latitude, longitude } = position.coords;
      send("", null, S.lang, { location: { lat: latitude, lon: longitude } });
    }, fallback, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  function announce(m) {
    const line = document.createElement("p");
    line.lang = m.language || S.lang;
    line.textContent = m.choices && m.choices.length
      ? `${m.text}\n${t("options")}: ${m.choices.map((c) => c.label).join(", ")}`
      : m.text;
    el.announcer.append(line);
    while (el.announcer.childElementCount > 3) el.announcer.firstElementChild.remove();
  }

  function focusNewest() {
    // After a keyboard choice, continue from the new buttons (or the text box).
    S.keyboardChoice = false;
    const first = el.list.querySelector(".choices:not(.answered) .choice");
    (first || el.input).focus({ preventScroll: true });
  }

  function showTyping(on) {
    el.typing.hidden = !on;
    if (on) scrollDown(true);
  }

  function isNearBottom() {
    const log = el.log;
    return log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  }

  function scrollDown(force) {
    if (force) el.log.scrollTop = el.log.scrollHeight;
  }

  function autosize() {
    const stick = isNearBottom();
    el.input.style.height = "auto";
    el.input.style.height = Math.min(el.input.scrollHeight + 2, 160) + "px";
    scrollDown(stick);
  }

  // ---- events -----------------------------------------------------------------------------
  el.list.addEventListener("click", (event) => {
    const copy = event.target.closest("button.copy");
    if (copy) {
      copyRef(copy);
      return;
    }
    const button = event.target.closest("button.choice");
    if (!button || button.disabled) return;
    if (button.dataset.choice === LOCATE) {
      shareLocation(button); // the browser's position, not the words "share location"
      return;
    }
    S.keyboardChoice = event.detail === 0; // activated from the keyboard, not a pointer
    const label = button.firstChild ? button.firstChild.textContent : button.textContent;
    send(label, button.dataset.choice, button.closest("li").lang);
  });

  el.form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = el.input.value.trim();
    if (!text) return;
    send(text, null);
    el.input.value = "";
    autosize();
    el.input.focus();
  });

  el.input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) {
      return; // Shift+Enter is a new line; Enter inside an IME composition is not a send
    }
    event.preventDefault();
    el.form.requestSubmit();
  });

  el.input.addEventListener("input", autosize);
  el.menu.addEventListener("click", () => send(t("menuWord"), null));
  el.photo.addEventListener("click", () => el.photoFile.click());
  el.photoFile.addEventListener("change", () => {
    const file = el.photoFile.files && el.photoFile.files[0];
    el.photoFile.value = "";
    if (file) sendPhoto(file);
  });
  el.retry.addEventListener("click", wake);
  window.addEventListener("online", wake);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) {
      S.pollDelay = POLL.active;
      pollSoon(0);
    }
  });

  // ---- start ------------------------------------------------------------------------------
  async function boot() {
    const saved = loadSaved();
    S.token = typeof saved.token === "string" ? saved.token : null;
    setLanguage("en", null);
    if (!(await openSession())) return;
    for (let delay = 0; ; ) {
      if (delay) await sleep(delay);
      delay = await pollOnce();
      if (!S.offline.has("poll")) break;
    }
    S.loaded = true;
    const outbox = Array.isArray(saved.outbox) ? saved.outbox : [];
    for (const item of outbox) {
      if (!item || typeof item.id !== "string" || S.refs.has(item.id)) continue;
      const restored = { id: item.id, text: String(item.text || ""),
                         payload: item.payload || null };
      if (typeof item.photo === "string") restored.photo = item.photo;
      if (item.location && typeof item.location.lat === "number") {
        restored.location = { lat: item.location.lat, lon: Number(item.location.lon) };
      }
      S.queue.push(restored);
      addLocal(restored);
    }
    if (!S.seen.size && !S.queue.length) {
      S.queue.push({ id: openerId(), text: "", payload: OPEN_PAYLOAD });
    }
    save();
    refreshChoices();
    scrollDown(true);
    pump();
    pollSoon(POLL.active);
  }

  boot();
})();
