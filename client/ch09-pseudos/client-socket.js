// autoConnect: false : la connexion attend que l'utilisateur ait choisi un
// pseudo, qui part dans la poignée de main (socket.auth).
const socket = io({ autoConnect: false });

const login = document.getElementById('login');
const pseudoInput = document.getElementById('pseudo');
const loginError = document.getElementById('login-error');
const chat = document.getElementById('chat');
const form = document.getElementById('form');
const input = document.getElementById('input');
const online = document.getElementById('online');

login.addEventListener('submit', (e) => {
  e.preventDefault();
  loginError.textContent = '';
  socket.auth = { pseudo: pseudoInput.value };
  socket.connect();
});

// Vrai entre une connexion perdue et son retour (voir 'disconnect').
let lost = false;

socket.on('connect', () => {
  login.hidden = true;
  chat.hidden = false;
  form.hidden = false;
  input.focus();
  if (lost) {
    lost = false;
    addNotice('Connexion rétablie');
  }
});

// Un refus du middleware du serveur arrive ici, avec sa phrase dans
// err.message. Après un refus, socket.active est faux : la bibliothèque
// cliente ne réessaie pas d'elle-même, c'est à l'utilisateur de choisir un
// autre pseudo. Sinon (serveur injoignable), elle réessaie seule.
socket.on('connect_error', (err) => {
  if (socket.active) {
    loginError.textContent = 'Serveur injoignable, nouvel essai…';
    return;
  }
  loginError.textContent = err.message;
  login.hidden = false;
  chat.hidden = true;
  form.hidden = true;
  pseudoInput.focus();
});

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = input.value;
  // Vide ou fait d'espaces : rien ne part ; trop long : une annonce le dit,
  // et le texte reste dans le champ (`sendable`, dans chat-ui.js).
  if (!sendable(input)) {
    return;
  }
  input.value = '';
  const item = addMessage(socket.auth.pseudo.trim(), text, 'mine');
  showAck(item, socket.timeout(5000).emitWithAck('new message', text), deliveredById, text);
});

socket.on('new message', ({ from, text }) => {
  addMessage(from, text);
});

socket.on('user joined', (pseudo) => {
  addNotice(`${pseudo} a rejoint le chat`);
});

socket.on('user left', (pseudo) => {
  addNotice(`${pseudo} a quitté le chat`);
});

// La liste complète, à chaque arrivée ou départ : plus simple et plus sûr
// que de la tenir à jour soi-même.
socket.on('online', (pseudos) => {
  online.replaceChildren(
    ...pseudos.map((pseudo) => {
      const item = document.createElement('li');
      item.textContent = pseudo;
      return item;
    }),
  );
});

// Connexion perdue (serveur arrêté, réseau coupé, client trop lent) : la
// bibliothèque cliente réessaie seule, sauf quand c'est le serveur qui a
// fermé ; le chat le dit, sans quoi rien ne changerait à l'écran.
socket.on('disconnect', (reason) => {
  lost = true;
  addNotice('Connexion perdue, nouvel essai…');
  if (reason === 'io server disconnect') {
    socket.connect();
  }
});
