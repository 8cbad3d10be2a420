// io() ouvre la connexion avec le serveur qui a servi la page.
const socket = io();

const form = document.getElementById('form');
const input = document.getElementById('input');
const messages = document.getElementById('messages');

// Ajoute un message à la liste et le rend (textContent, jamais innerHTML :
// un message qui contient du HTML s'affiche comme du texte).
function addMessage(text, className) {
  const item = document.createElement('li');
  item.textContent = text;
  if (className) {
    item.className = className;
  }
  messages.appendChild(item);
  item.scrollIntoView({ block: 'end' });
  return item;
}

// L'état d'un message envoyé, sous son texte : en attente, reçu, échec.
function setStatus(item, state, text) {
  item.classList.remove('pending', 'delivered', 'failed');
  item.classList.add(state);
  let status = item.querySelector('.status');
  if (!status) {
    status = document.createElement('span');
    status.className = 'status';
    item.appendChild(status);
  }
  status.textContent = text;
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const text = input.value;
  if (!text) {
    return;
  }
  input.value = '';
  // Le message s'affiche tout de suite, « en attente » : on n'attend pas le
  // serveur pour montrer ce qu'on vient d'écrire.
  const item = addMessage(text, 'mine');
  setStatus(item, 'pending', 'en attente…');
  try {
    // emitWithAck renvoie une promesse, tenue quand le serveur appelle
    // l'accusé ; timeout(5000) la rejette si rien n'est venu en 5 s.
    const reply = await socket.timeout(5000).emitWithAck('new message', text);
    if (reply && typeof reply.id === 'number') {
      setStatus(item, 'delivered', `reçu par le serveur (nº ${reply.id})`);
    } else {
      const why = reply && reply.error ? reply.error : 'réponse inattendue du serveur';
      setStatus(item, 'failed', `échec : ${why}`);
    }
  } catch (err) {
    setStatus(item, 'failed', 'échec : pas de réponse du serveur en 5 secondes');
  }
});

// Les messages des autres : le texte seul, comme au chapitre 5.
socket.on('new message', (msg) => {
  addMessage(msg);
});

// Si le serveur déconnecte ce client (trop lent, par exemple), Socket.IO ne
// se reconnecte pas de lui-même : on le lui demande.
socket.on('disconnect', (reason) => {
  if (reason === 'io server disconnect') {
    socket.connect();
  }
});
