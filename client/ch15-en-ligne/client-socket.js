// Le chat du chapitre 13, avec l'historique du chapitre 11 : la page
// retient le dernier numéro reçu (auth.serverOffset) et reçoit, à chaque
// (re)connexion, tout ce qui a suivi.
const socket = io({ autoConnect: false, auth: { serverOffset: 0 } });

const chat = document.getElementById('chat');
const form = document.getElementById('form');
const input = document.getElementById('input');
const to = document.getElementById('to');
const outboxLine = document.getElementById('outbox');

// Vrai après « logged out » ou « kicked » : ne pas se reconnecter.
let loggedOut = false;
// Vrai entre une connexion perdue et son retour (voir 'disconnect').
let lost = false;

function startChat() {
  loggedOut = false;
  socket.connect();
}

function hideChat() {
  chat.hidden = true;
  form.hidden = true;
}

socket.on('connect', () => {
  chat.hidden = false;
  form.hidden = false;
  input.focus();
  if (lost) {
    lost = false;
    addNotice('Connexion rétablie');
  }
  sendNext();
});

// Serveur injoignable : une seule annonce, pas une par essai.
socket.on('connect_error', (err) => {
  if (socket.active) {
    if (!lost) {
      lost = true;
      addNotice('Serveur injoignable, nouvel essai…');
    }
    return;
  }
  lost = false;
  hideChat();
  showLogin(err.message);
});

socket.on('logged out', (reason) => {
  loggedOut = true;
  hideChat();
  showLogin(reason);
});

socket.on('kicked', ({ reason }) => {
  loggedOut = true;
  hideChat();
  showLogin(`Un modérateur vous a exclu : ${sentence(reason)} Rechargez la page pour revenir.`);
});

// Connexion perdue : le chat le dit, puis « Connexion rétablie » au retour
// (voir le chapitre 13).
socket.on('disconnect', (reason) => {
  if (loggedOut) {
    return;
  }
  lost = true;
  addNotice('Connexion perdue, nouvel essai…');
  if (reason === 'io server disconnect') {
    socket.connect();
  }
});

// ANCHOR: outbox
// Un identifiant tiré au hasard à l'ouverture de la page, puis un compteur :
// chaque message a son clientOffset, unique (voir le chapitre 11).
const pageId = Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) =>
  byte.toString(16).padStart(2, '0'),
).join('');
let counter = 0;

// La boîte d'envoi : les messages à tous qui attendent leur accusé. Un seul
// part à la fois, dans l'ordre d'écriture : le serveur les numérote donc
// dans cet ordre. Serveur injoignable ou base en panne (`retry`) : le même
// message repart un peu plus tard, avec le même clientOffset ; le serveur
// ne l'enregistre qu'une fois.
const outbox = [];
let sending = false;

function showOutbox() {
  const n = outbox.length;
  outboxLine.textContent =
    n === 0 ? '' : n === 1 ? "1 message en attente d'envoi…" : `${n} messages en attente d'envoi…`;
}

async function sendNext() {
  if (sending || outbox.length === 0 || !socket.connected) {
    return;
  }
  sending = true;
  const { text, clientOffset } = outbox[0];
  let retry = true;
  try {
    const reply = await socket.timeout(5000).emitWithAck('new message', text, clientOffset);
    if (reply && typeof reply.id === 'number') {
      retry = false; // enregistré : il arrivera par « new message »
    } else if (!(reply && reply.retry)) {
      retry = false;
      addNotice(`Message non envoyé : ${reply && reply.error ? `« ${reply.error} »` : 'réponse inattendue'}`);
      // Refusé (trop long, silence…) : le texte revient dans le champ, s'il
      // est libre, pour être raccourci ou renvoyé plus tard, pas perdu ;
      // sinon (plusieurs refus d'affilée), l'annonce le redonne.
      if (!input.value) {
        input.value = text;
      } else {
        addNotice(`Texte non envoyé : « ${text} »`);
      }
    }
  } catch (err) {
    // Pas d'accusé en 5 s : on réessaie.
  }
  sending = false;
  if (!retry) {
    outbox.shift();
    showOutbox();
    sendNext();
  } else {
    setTimeout(sendNext, 1000);
  }
}
// ANCHOR_END: outbox

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = input.value;
  if (!sendable(input)) {
    return;
  }
  const recipient = to.value;
  // Un message privé n'attend pas dans la boîte d'envoi : hors ligne, il
  // reste dans le champ.
  if (recipient && !socket.connected) {
    addNotice("Pas de connexion au serveur : le message n'est pas parti, il reste dans le champ.");
    return;
  }
  input.value = '';
  stopTyping();
  if (recipient) {
    const item = addMessage(`${me} → ${recipient} (en privé)`, text, 'mine private');
    const reply = socket.timeout(5000).emitWithAck('private message', { to: recipient, text });
    const delivered = (answer) => (answer && answer.ok === true ? `remis à ${recipient}` : null);
    showAck(item, reply, delivered, text);
  } else {
    outbox.push({ text, clientOffset: `${pageId}-${counter++}` });
    showOutbox();
    sendNext();
  }
});

// ANCHOR: receive
// Chaque message arrive avec son numéro, dans l'ordre : l'historique à la
// connexion, puis les nouveaux. Un numéro déjà vu est ignoré.
socket.on('new message', ({ from, text }, id) => {
  if (typeof id !== 'number' || id <= socket.auth.serverOffset) {
    return;
  }
  socket.auth.serverOffset = id;
  stoppedTyping(from);
  const item = addMessage(from, text, from === me ? 'mine' : undefined);
  item.dataset.id = id;
});
// ANCHOR_END: receive

socket.on('private message', ({ from, to: recipient, text }) => {
  if (from === me) {
    addMessage(`${me} → ${recipient} (en privé)`, text, 'mine private');
  } else {
    stoppedTyping(from);
    addMessage(`${from} (en privé)`, text, 'private');
  }
});
