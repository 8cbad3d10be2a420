// La présence, commune aux pages des chapitres 10, 13 et 15 : les
// destinataires possibles d'un message privé, et la ligne « … en train
// d'écrire ». Rien de Socket.IO ici, comme dans chat-ui.js.

// La forme d'un pseudo qui sert à les comparer, comme au serveur
// (`nickname_key`) : « ALICE », « alice » et « Ａｌｉｃｅ » désignent la
// même personne.
function pseudoKey(pseudo) {
  return pseudo.trim().normalize('NFKC').toLowerCase();
}

// Remplit la liste des destinataires `select` : « À tous », puis chaque
// pseudo de `pseudos`, sauf `me`. Le destinataire choisi reste choisi même
// s'il vient de partir (onglet rechargé, serveur relancé) : revenir sans
// rien dire à « À tous » enverrait à tout le chat le message suivant, écrit
// pour lui seul. Absent, il est marqué comme tel, et le serveur refusera le
// message privé.
function fillRecipients(select, pseudos, me) {
  const chosen = select.value;
  const option = (value, label) => {
    const item = document.createElement('option');
    item.value = value;
    item.textContent = label;
    return item;
  };
  const others = pseudos
    .filter((pseudo) => pseudoKey(pseudo) !== pseudoKey(me))
    .map((pseudo) => option(pseudo, `À ${pseudo} (en privé)`));
  const back = others.find((item) => chosen && pseudoKey(item.value) === pseudoKey(chosen));
  if (chosen && !back) {
    others.push(option(chosen, `À ${chosen} (en privé, absent)`));
  }
  select.replaceChildren(option('', 'À tous'), ...others);
  select.value = back ? back.value : chosen;
}

// « Alice est en train d'écrire… », « Alice et Bob sont en train
// d'écrire… », « Alice, Bob et Chloé sont en train d'écrire… ».
function writersSentence(names) {
  if (names.length === 0) {
    return '';
  }
  if (names.length === 1) {
    return `${names[0]} est en train d'écrire…`;
  }
  const first = names.slice(0, -1).join(', ');
  return `${first} et ${names[names.length - 1]} sont en train d'écrire…`;
}
