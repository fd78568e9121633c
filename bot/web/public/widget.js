/*
 * Padoms chat widget. An agency embeds it with one tag, on any site:
 *
 *   <script src="https://BOT-HOST/widget.js" defer></script>
 *
 * Optional data-attributes: data-agency (the agency whose chat it opens, a folder name under
 * knowledge/agencies/ on the bot; without it, the bot's default agency), data-label (launcher
 * text), data-title (panel title).
 * It adds an accessible launcher button; on first open it asks the bot for a Direct Line token,
 * loads Web Chat from the same host and renders it (replies over the WebSocket stream). Everything it loads
 * comes from the host the script itself came from (document.currentScript), so it works offline
 * and across origins. No cookies; the conversation survives page changes in sessionStorage only,
 * kept per agency: two agencies' pages on one site never resume each other's conversation.
 */
(function () {
  'use strict';

  var script = document.currentScript;
  if (!script || window.__padomsWidgetLoaded) return;
  window.__padomsWidgetLoaded = true;

  // The bot's base URL, path prefix included (the bot may sit behind a proxy under /padoms/).
  var base = new URL('./', script.src).href.replace(/\/$/, '');
  var WEBCHAT_VERSION = '__WEBCHAT_VERSION__';
  var nonce = script.nonce || script.getAttribute('nonce') || undefined;
  var data = script.dataset || {};
  var agency = data.agency || '';
  // A widget that names no agency keeps the key of the widgets from before agencies.
  var STORAGE_KEY = 'padoms-webchat:' + base + (agency ? '#' + agency : '');

  var text = {
    launcher: data.label || 'Jautāt čatbotam',
    title: data.title || 'Čatbots',
    close: 'Aizvērt čatu',
    loading: 'Savienojas ar čatbotu…',
    failed: 'Čatu neizdevās atvērt. Lūdzu, mēģiniet vēlreiz vai sazinieties ar iestādi pa tālruni vai e-pastu.',
    retry: 'Mēģināt vēlreiz',
    // The bot does not serve this agency (any more): trying again would not help.
    unavailable: 'Šīs iestādes čats šeit nav pieejams. Lūdzu, sazinieties ar iestādi pa tālruni vai e-pastu.',
    unavailableEn: "This agency's chat is not available here. Please contact the agency by phone or e-mail.",
  };

  var ids = { panel: 'padoms-chat-panel', title: 'padoms-chat-title' };
  var root, launcher, panel, statusLine, retryButton, chatHost;
  var started = false;
  var directLine = null;

  function element(tag, attributes, children) {
    var el = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      el.setAttribute(name, attributes[name]);
    });
    (children || []).forEach(function (child) {
      el.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return el;
  }

  function chatIcon() {
    var svgNs = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(svgNs, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    var path = document.createElementNS(svgNs, 'path');
    path.setAttribute('fill', 'currentColor');
    path.setAttribute('d', 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm2 5v2h12V8H6zm0 4v2h8v-2H6z');
    svg.appendChild(path);
    return svg;
  }

  function loadStylesheet() {
    var link = element('link', { rel: 'stylesheet', href: base + '/widget.css' });
    if (nonce) link.nonce = nonce;
    document.head.appendChild(link);
  }

  function build() {
    loadStylesheet();
    launcher = element(
      'button',
      {
        type: 'button',
        class: 'padoms-launcher',
        'aria-expanded': 'false',
        'aria-controls': ids.panel,
      },
      [chatIcon(), element('span', {}, [text.launcher])],
    );

    var closeButton = element('button', { type: 'button', class: 'padoms-close', 'aria-label': text.close }, ['×']);
    statusLine = element('p', { class: 'padoms-status', role: 'status' });
    retryButton = element('button', { type: 'button', class: 'padoms-retry', hidden: '' }, [text.retry]);
    chatHost = element('div', { class: 'padoms-webchat' });
    panel = element(
      'section',
      {
        id: ids.panel,
        class: 'padoms-panel',
        role: 'dialog',
        'aria-modal': 'false',
        'aria-labelledby': ids.title,
        hidden: '',
      },
      [
        element('div', { class: 'padoms-panel__header' }, [element('h2', { id: ids.title, class: 'padoms-panel__title' }, [text.title]), closeButton]),
        statusLine,
        retryButton,
        chatHost,
      ],
    );
    root = element('div', { class: 'padoms-widget' }, [panel, launcher]);
    document.body.appendChild(root);

    launcher.addEventListener('click', function () {
      if (panel.hidden) open();
      else close();
    });
    closeButton.addEventListener('click', close);
    retryButton.addEventListener('click', function () {
      retryButton.hidden = true;
      start(true);
    });
    panel.addEventListener('keydown', function (event) {
      // Web Chat uses Escape inside its transcript and marks it handled; only an unhandled Escape closes.
      if (event.key === 'Escape' && !event.defaultPrevented) close();
    });
  }

  function open() {
    panel.hidden = false;
    launcher.setAttribute('aria-expanded', 'true');
    if (!started) start(false);
    else focusSendBox();
  }

  function close() {
    panel.hidden = true;
    launcher.setAttribute('aria-expanded', 'false');
    saveSession();
    launcher.focus();
  }

  function focusSendBox(attempt) {
    var input = chatHost.querySelector('input[type="text"], textarea');
    if (input) {
      input.focus();
    } else if ((attempt || 0) < 50) {
      setTimeout(function () {
        focusSendBox((attempt || 0) + 1);
      }, 100);
    }
  }

  function showStatus(message, canRetry) {
    statusLine.textContent = message;
    retryButton.hidden = !canRetry;
  }

  /** In Latvian and in English: the page may be either, and the message is the whole panel. */
  function showUnavailable() {
    statusLine.textContent = '';
    statusLine.appendChild(element('span', { lang: 'lv' }, [text.unavailable]));
    statusLine.appendChild(element('span', { lang: 'en' }, [text.unavailableEn]));
    retryButton.hidden = true;
    chatHost.hidden = true;
  }

  function tokenExpiry(token) {
    try {
      var payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      return JSON.parse(atob(payload)).exp * 1000;
    } catch {
      return 0;
    }
  }

  function loadSession() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || 'null');
      if (saved && typeof saved.token === 'string' && typeof saved.conversationId === 'string' && tokenExpiry(saved.token) > Date.now() + 60000) {
        return saved;
      }
    } catch {
      /* storage blocked or corrupt: start fresh */
    }
    return null;
  }

  function saveSession() {
    if (!directLine || !directLine.conversationId || !directLine.token) return;
    try {
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ conversationId: directLine.conversationId, token: directLine.token }));
    } catch {
      /* storage blocked: the conversation then ends with the page */
    }
  }

  function forgetSession() {
    try {
      sessionStorage.removeItem(STORAGE_KEY);
    } catch {
      /* ignore */
    }
  }

  // The agency goes in the query, not a JSON body: a POST without a body needs no CORS preflight.
  function newToken() {
    var url = base + '/v3/directline/tokens/generate' + (agency ? '?agency=' + encodeURIComponent(agency) : '');
    return fetch(url, { method: 'POST', credentials: 'omit' }).then(function (response) {
      if (response.ok) return response.json();
      return response
        .json()
        .catch(function () {
          return null;
        })
        .then(function (body) {
          var error = new Error('token ' + response.status);
          error.unknownAgency = response.status === 404 && Boolean(body && body.error && body.error.code === 'UnknownAgency');
          throw error;
        });
    });
  }

  var webChatLoading = null;
  function loadWebChat() {
    if (window.WebChat && window.WebChat.renderWebChat) return Promise.resolve(window.WebChat);
    if (webChatLoading) return webChatLoading;
    webChatLoading = new Promise(function (resolve, reject) {
      var tag = element('script', { src: base + '/webchat/webchat.js?v=' + encodeURIComponent(WEBCHAT_VERSION), async: '' });
      if (nonce) tag.nonce = nonce;
      tag.onload = function () {
        if (window.WebChat) resolve(window.WebChat);
        else reject(new Error('Web Chat missing'));
      };
      tag.onerror = function () {
        webChatLoading = null;
        reject(new Error('Web Chat failed to load'));
      };
      document.head.appendChild(tag);
    });
    return webChatLoading;
  }

  // Colours chosen for WCAG 2.1 AA contrast (4.5:1 text, 3:1 UI) on white.
  var styleOptions = {
    accent: '#1d3c78',
    backgroundColor: '#ffffff',
    primaryFont: 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif',
    subtle: '#545454',
    timestampColor: '#545454',
    bubbleBackground: '#eef1f6',
    bubbleTextColor: '#1b1b1b',
    bubbleBorderColor: '#6b6b6b',
    bubbleBorderWidth: 1,
    bubbleFromUserBackground: '#1d3c78',
    bubbleFromUserTextColor: '#ffffff',
    bubbleFromUserBorderColor: '#1d3c78',
    bubbleFromUserBorderWidth: 1,
    sendBoxBackground: '#ffffff',
    sendBoxTextColor: '#1b1b1b',
    sendBoxPlaceholderColor: '#545454',
    sendBoxButtonColor: '#1d3c78',
    sendBoxButtonColorOnHover: '#132a55',
    sendBoxBorderTop: 'solid 1px #6b6b6b',
    suggestedActionTextColor: '#1d3c78',
    suggestedActionBorderColor: '#1d3c78',
    suggestedActionBackgroundColor: '#ffffff',
    // Buttons one under another with their text wrapped: in the default sideways carousel "Neviens
    // no šiem" and longer titles are cut off, and a phone shows one button at a time.
    suggestedActionLayout: 'stacked',
    suggestedActionsStackedLayoutButtonTextWrap: true,
    // A long answer is shown from its start: scrolling stops once a new reply reaches the view.
    autoScrollSnapOnActivity: true,
    hideUploadButton: true,
    rootHeight: '100%',
    rootWidth: '100%',
  };

  function render(WebChat, session) {
    var options = { token: session.token, domain: base + '/v3/directline', webSocket: true };
    if (session.conversationId) options.conversationId = session.conversationId;
    directLine = WebChat.createDirectLine(options);
    chatHost.hidden = false;
    var resumed = Boolean(session.conversationId);
    directLine.connectionStatus$.subscribe(function (status) {
      // 2 Online, 4 FailedToConnect, 5 Ended (ConnectionStatus of botframework-directlinejs).
      if (status === 2) {
        showStatus('', false);
        saveSession();
      } else if (status === 4 || status === 5) {
        forgetSession();
        showStatus(text.failed, true);
        if (resumed) {
          // The saved conversation is gone (expired on the server): start a new one once.
          resumed = false;
          start(true);
        }
      }
    });
    var props = { directLine: directLine, locale: 'lv-LV', styleOptions: styleOptions };
    if (nonce) props.nonce = nonce;
    WebChat.renderWebChat(props, chatHost);
    focusSendBox();
  }

  function start(fresh) {
    started = true;
    showStatus(text.loading, false);
    var saved = fresh ? null : loadSession();
    if (fresh) forgetSession();
    Promise.all([loadWebChat(), saved ? Promise.resolve(saved) : newToken()])
      .then(function (results) {
        if (directLine && directLine.end) directLine.end();
        render(results[0], { token: results[1].token, conversationId: saved ? saved.conversationId : undefined });
      })
      .catch(function (error) {
        started = false;
        if (error && error.unknownAgency) showUnavailable();
        else showStatus(text.failed, true);
      });
  }

  window.addEventListener('pagehide', saveSession);

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', build);
  } else {
    build();
  }
})();
