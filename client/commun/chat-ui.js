// L'affichage commun aux pages des chapitres 8 à 15 :
// des lignes dans #messages, l'état d'un message envoyé. Rien de Socket.IO
// ici : chaque chapitre garde ses appels dans son client-socket.js.
//
// Toujours textContent, jamais innerHTML : un message qui contient du HTML
// s'affiche comme du texte.

const messages = document.getElementById('messages');

// Une ligne de la liste, avec une classe facultative (mine, notice…).
function addItem(className) {
  const item = document.createElement('li');
  if (className) {
    item.className = className;
  }
  messages.appendChild(item);
  return item;
}

// Fait défiler la liste jusqu'à `item`, une fois son texte en place : une
// ligne encore vide n'a pas sa hauteur, et le bas d'un message de deux
// lignes resterait caché.
function reveal(item) {
  item.scrollIntoView({ block: 'end' });
  return item;
}

// Un message : son auteur en gras (s'il est connu), puis le texte.
function addMessage(from, text, className) {
  const item = addItem(className);
  if (from) {
    const author = document.createElement('span');
    author.className = 'from';
    author.textContent = from;
    item.append(author);
  }
  item.append(text);
  return reveal(item);
}

// Une annonce (« Bob a rejoint le chat »), en italique.
function addNotice(text) {
  const item = addItem('notice');
  item.textContent = text;
  reveal(item);
}

// L'état d'un message envoyé, sous son texte : pending (en attente),
// delivered (reçu) ou failed (échec).
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
  // Le dernier message, qui vient de grandir d'une ligne, reste visible.
  if (item === messages.lastElementChild) {
    reveal(item);
  }
}

// Montre l'état du message `item` pendant que `reply` (la promesse d'un
// emitWithAck) attend l'accusé du serveur. `success(réponse)` rend le texte
// à afficher si la réponse est un succès, ou null. Refusé par le serveur
// ({ error }), le message n'est pas parti : son texte `text` revient dans
// le champ, s'il est libre, pour être corrigé plutôt que perdu. Sans
// réponse à temps, il est peut-être arrivé : le texte ne revient pas, pour
// ne pas l'envoyer deux fois.
async function showAck(item, reply, success, text) {
  setStatus(item, 'pending', 'en attente…');
  try {
    const answer = await reply;
    const done = success(answer);
    if (done) {
      setStatus(item, 'delivered', done);
    } else {
      // La phrase du serveur est citée entre guillemets : elle commence par
      // une majuscule, que les deux-points n'admettent que devant une citation.
      const why = answer && answer.error ? `« ${answer.error} »` : 'réponse inattendue du serveur';
      setStatus(item, 'failed', `échec : ${why}`);
      if (answer && answer.error) {
        giveBack(text);
      }
    }
  } catch (err) {
    // La promesse est rejetée quand le délai de timeout(5000) est écoulé.
    setStatus(item, 'failed', 'échec : pas de réponse du serveur en 5 secondes');
  }
}

// Remet `text` dans le champ de saisie, s'il est vide : on n'écrase pas ce
// qui a été écrit depuis.
function giveBack(text) {
  const field = document.getElementById('input');
  if (typeof text === 'string' && field && !field.value) {
    field.value = text;
  }
}

// La réponse d'un « new message » réussi : { id: n }. Une commande que le
// serveur traite sans la relayer (« /qui », exercices 10 et 12) répond
// { ok: true }.
function deliveredById(reply) {
  if (reply && typeof reply.id === 'number') {
    return `reçu par le serveur (nº ${reply.id})`;
  }
  return reply && reply.ok === true ? 'reçu par le serveur' : null;
}

// Un texte de plus de 100 000 caractères ne part pas : aucun message de
// chat n'en a besoin, et au-delà d'un million d'octets le serveur coupe la
// connexion au lieu de répondre (la limite d'un paquet, chapitre 8). La
// page le dit, et le texte reste dans le champ.
const LONGEST_TEXT = 100000;

// Le texte du champ `input` peut-il partir ? Vide ou fait d'espaces : non,
// sans rien dire, et le champ est vidé (ces espaces ne précéderont pas le
// message suivant). Trop long : non, une annonce dit pourquoi, et le texte
// reste dans le champ.
function sendable(input) {
  const text = input.value;
  if (!text.trim()) {
    input.value = '';
    return false;
  }
  if (text.length > LONGEST_TEXT) {
    addNotice(
      `Message trop long (${text.length.toLocaleString('fr-FR')} caractères) : il n'est pas parti.`,
    );
    return false;
  }
  return true;
}

// Une raison, finie par un point (sauf si elle a déjà le sien).
function sentence(reason) {
  return /[.!?…]$/.test(reason) ? reason : `${reason}.`;
}
