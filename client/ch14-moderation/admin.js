// La page des modérateurs : l'espace de noms « /admin ». io('/admin') ouvre
// un canal à part, avec ses propres évènements ; le cookie de session part
// avec la poignée de main, comme sur la page du chat.
const admin = io('/admin');

const status = document.getElementById('status');
const rows = document.querySelector('#users tbody');
const reasonInput = document.getElementById('reason');
const minutesInput = document.getElementById('minutes');

// Vrai entre une connexion perdue et son retour (voir 'disconnect').
let lost = false;

admin.on('connect', () => {
  status.textContent = lost ? 'Connexion rétablie : connecté à /admin.' : 'Connecté à /admin.';
  lost = false;
});

// Serveur injoignable : la bibliothèque cliente réessaie seule
// (admin.active est vrai). Pas de session, ou pas modérateur : la raison
// du refus, sans nouvel essai.
admin.on('connect_error', (err) => {
  if (admin.active) {
    if (!lost) {
      status.textContent = 'Serveur injoignable, nouvel essai…';
    }
    return;
  }
  lost = false;
  status.textContent = err.message;
});

// Connexion perdue (serveur arrêté d'un Ctrl+C, réseau coupé) : la page le
// dit et vide le tableau, qui n'est plus à jour ; le serveur le renverra à
// la reconnexion. Quand c'est le serveur qui a fermé (« io server
// disconnect »), la bibliothèque cliente ne réessaie pas d'elle-même : on
// la relance, comme sur la page du chat.
admin.on('disconnect', (reason) => {
  lost = true;
  status.textContent = 'Connexion perdue, nouvel essai…';
  rows.replaceChildren();
  if (reason === 'io server disconnect') {
    admin.connect();
  }
});

// Un bouton d'une ligne du tableau.
function button(label, onClick) {
  const b = document.createElement('button');
  b.textContent = label;
  b.addEventListener('click', onClick);
  return b;
}

// Envoie une décision et affiche la réponse du serveur.
async function decide(event, data, done) {
  if (!admin.connected) {
    status.textContent = 'Pas de connexion au serveur : attendez « Connexion rétablie ».';
    return;
  }
  try {
    const answer = await admin.timeout(5000).emitWithAck(event, data);
    status.textContent =
      answer && answer.ok ? done(answer) : `Refusé : « ${answer && answer.error} »`;
  } catch (err) {
    status.textContent = 'Pas de réponse du serveur en 5 secondes.';
  }
}

// Un silence de la durée choisie. Le serveur lit 0 comme « rend la
// parole » : la phrase affichée suit sa réponse (until, la fin du silence,
// ou null), pas le bouton cliqué.
function mute(pseudo) {
  const text = minutesInput.value.trim();
  const minutes = Number(text);
  if (text === '' || !Number.isInteger(minutes) || minutes < 0) {
    status.textContent = "Durée d'un silence : un nombre entier de minutes (0 rend la parole).";
    return;
  }
  decide('mute', { pseudo, minutes }, ({ until }) =>
    until
      ? `${pseudo} est réduit au silence jusqu'à ${new Date(until).toLocaleTimeString('fr-FR')}.`
      : `${pseudo} peut de nouveau écrire (durée 0).`);
}

// La liste des comptes connectés, envoyée à chaque changement.
admin.on('users', (users) => {
  rows.replaceChildren(
    ...users.map(({ pseudo, tabs, muted_until: mutedUntil }) => {
      const row = document.createElement('tr');
      row.dataset.pseudo = pseudo;
      for (const text of [pseudo, String(tabs), mutedUntil ? new Date(mutedUntil).toLocaleTimeString('fr-FR') : '—']) {
        const cell = document.createElement('td');
        cell.textContent = text;
        row.appendChild(cell);
      }
      const actions = document.createElement('td');
      actions.append(
        button('Exclure', () =>
          decide('kick', { pseudo, reason: reasonInput.value }, () => `${pseudo} est exclu.`)),
        button('Silence', () => mute(pseudo)),
        button('Parole', () =>
          decide('mute', { pseudo, minutes: 0 }, () => `${pseudo} peut de nouveau écrire.`)),
      );
      row.appendChild(actions);
      return row;
    }),
  );
});
