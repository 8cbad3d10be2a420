// Le compte, par de simples requêtes HTTP (fetch) : la réponse d'une
// inscription ou d'une connexion réussie pose le cookie de session, que le
// navigateur joindra ensuite à chaque requête, poignée de main de
// Socket.IO comprise. Le JavaScript de la page ne voit jamais ce cookie
// (HttpOnly) : il sait seulement qui est connecté.

const login = document.getElementById('login');
const pseudoInput = document.getElementById('pseudo');
const passwordInput = document.getElementById('password');
const loginError = document.getElementById('login-error');
const meLine = document.getElementById('me');
const logoutButton = document.getElementById('logout');

// Le pseudo du compte connecté, ou null.
let me = null;

// Une requête à l'API du chat ; rend [statut, corps JSON ou null].
async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return [response.status, text ? JSON.parse(text) : null];
}

// Affiche le formulaire du compte, avec une phrase facultative.
function showLogin(message) {
  me = null;
  meLine.textContent = '';
  logoutButton.hidden = true;
  login.hidden = false;
  loginError.textContent = message || '';
  pseudoInput.focus();
}

// Un compte est connecté : on le dit, puis le chat prend la main
// (startChat est dans client-socket.js).
function loggedIn(pseudo) {
  me = pseudo;
  meLine.textContent = `Connecté : ${pseudo}`;
  logoutButton.hidden = false;
  login.hidden = true;
  loginError.textContent = '';
  passwordInput.value = '';
  startChat();
}

// Le bouton cliqué (« Se connecter » ou « Créer le compte ») choisit la route.
login.addEventListener('submit', async (e) => {
  e.preventDefault();
  const route = e.submitter && e.submitter.value === 'signup' ? 'signup' : 'login';
  loginError.textContent = '';
  try {
    const [status, body] = await api('POST', `/api/${route}`, {
      pseudo: pseudoInput.value,
      password: passwordInput.value,
    });
    if (status === 200 || status === 201) {
      loggedIn(body.pseudo);
    } else {
      loginError.textContent = body && body.error ? body.error : `Erreur ${status}`;
    }
  } catch (err) {
    loginError.textContent = 'Serveur injoignable : réessayez dans un instant.';
  }
});

logoutButton.addEventListener('click', async () => {
  // Le serveur ferme tous les onglets de ce compte, celui-ci compris : la
  // page l'apprend par l'évènement « logged out » (client-socket.js). Un
  // échec se dit dans le chat : sans cela, le bouton ne ferait rien de
  // visible et l'on se croirait déconnecté.
  try {
    const [status, body] = await api('POST', '/api/logout');
    if (status !== 204 && status !== 200) {
      const why = body && body.error ? `« ${body.error} »` : `Erreur ${status}`;
      addNotice(`Déconnexion impossible : ${why}`);
    }
  } catch (err) {
    addNotice('Déconnexion impossible : serveur injoignable. Réessayez.');
  }
});

// Au chargement : une session est peut-être déjà là (un autre onglet, ou
// une visite d'hier). 401 : pas de session, le formulaire. Une autre
// erreur (la base du chapitre 15 en panne…) ou pas de réponse : le
// formulaire aussi, avec la phrase du serveur, sinon on se croirait
// déconnecté ; et un nouvel essai toutes les 3 secondes, pour retrouver la
// session dès que le serveur répond de nouveau.
function checkSession() {
  api('GET', '/api/me')
    .then(([status, body]) => {
      if (me) {
        // Connecté entre-temps par le formulaire : rien à refaire.
      } else if (status === 200) {
        loggedIn(body.pseudo);
      } else if (status === 401) {
        showLogin();
      } else {
        retryLater(body && body.error ? body.error : `Erreur ${status}.`);
      }
    })
    .catch(() => retryLater('Serveur injoignable.'));
}

// Dit la panne sous le formulaire (sans déplacer le curseur, si l'on écrit
// déjà), puis réessaie.
function retryLater(why) {
  if (me) {
    return;
  }
  if (login.hidden) {
    showLogin();
  }
  loginError.textContent = `${why} Nouvel essai dans 3 secondes…`;
  setTimeout(checkSession, 3000);
}

checkSession();
