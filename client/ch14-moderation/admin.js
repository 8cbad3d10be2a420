// La page des modérateurs : l'espace de noms « /admin ». io('/admin') ouvre
// un canal à part, avec ses propres évènements ; le cookie de session part
// avec la poignée de main, comme sur la page du chat.
const admin = io('/admin');

const status = document.getElementById('status');
const rows = document.querySelector('#users tbody');
const reasonInput = document.getElementById('reason');
const minutesInput = document.getElementById('minutes');

admin.on('connect', () => {
  status.textContent = 'Connecté à /admin.';
});

// Pas de session, ou pas modérateur : la raison du refus.
admin.on('connect_error', (err) => {
  status.textContent = admin.active ? 'Serveur injoignable, nouvel essai…' : err.message;
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
  try {
    const answer = await admin.timeout(5000).emitWithAck(event, data);
    status.textContent = answer && answer.ok ? done(answer) : `Refusé : ${answer.error}`;
  } catch (err) {
    status.textContent = 'Pas de réponse du serveur en 5 secondes.';
  }
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
        button('Silence', () =>
          decide('mute', { pseudo, minutes: Number(minutesInput.value) }, () =>
            `${pseudo} est réduit au silence.`)),
        button('Parole', () =>
          decide('mute', { pseudo, minutes: 0 }, () => `${pseudo} peut de nouveau écrire.`)),
      );
      row.appendChild(actions);
      return row;
    }),
  );
});
