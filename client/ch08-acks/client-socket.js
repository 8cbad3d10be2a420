// io() ouvre la connexion avec le serveur qui a servi la page.
const socket = io();

const form = document.getElementById('form');
const input = document.getElementById('input');

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = input.value;
  // Vide ou fait d'espaces : rien ne part ; trop long : une annonce le dit,
  // et le texte reste dans le champ (`sendable`, dans chat-ui.js).
  if (!sendable(input)) {
    return;
  }
  input.value = '';
  // Le message s'affiche tout de suite, « en attente » : on n'attend pas le
  // serveur pour montrer ce qu'on vient d'écrire.
  const item = addMessage(null, text, 'mine');
  // emitWithAck renvoie une promesse, tenue quand le serveur appelle
  // l'accusé ; timeout(5000) la rejette si rien n'est venu en 5 s.
  const reply = socket.timeout(5000).emitWithAck('new message', text);
  showAck(item, reply, deliveredById, text);
});

// Les messages des autres : le texte seul, comme au chapitre 5.
socket.on('new message', (msg) => {
  addMessage(null, msg);
});

// Si le serveur déconnecte ce client (trop lent, par exemple), Socket.IO ne
// se reconnecte pas de lui-même : on le lui demande.
socket.on('disconnect', (reason) => {
  if (reason === 'io server disconnect') {
    socket.connect();
  }
});
