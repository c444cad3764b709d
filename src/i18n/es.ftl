# Las palabras de cabildo, en español. Los mismos mensajes que src/i18n/en.ftl, con las mismas
# variables (una prueba lo comprueba). Lo que falte aquí se dice en inglés.
# Las líneas de continuación no pueden empezar por `[`, `*` ni `.`: esos mensajes van en una línea.

## Respuestas en Discord

apology = Lo siento, algo falló de mi lado. Quedó registrado; vuelve a intentarlo en un momento.
cooldown = Con calma: puedes volver a preguntar en { $seconds ->
    [one] { $seconds } segundo.
   *[other] { $seconds } segundos.
}
passages = { $count ->
    [one] { $count } pasaje
   *[other] { $count } pasajes
}
answer-nothing = Nada en el texto responde a eso. Prueba con otras palabras, o recorre las secciones con `/toc` y léelas con `/read`.
answer-no-more = No hay más resultados. Prueba con otras palabras, o recorre las secciones con `/toc`.
answer-not-sure = Nada en el texto responde claramente a eso; estos son los pasajes más cercanos. Prueba con otras palabras, o recorre las secciones con `/toc`.
answer-footer = { $titles } · resultados { $range }
button-full = ¶ { $reference } completo
button-around = Alrededor de { $reference }
button-bookmark = 🔖 Guardar
button-first = ◀ Primeros resultados
button-more = Más resultados ▶
button-previous = ◀ Anterior
button-next = Siguiente ▶
quote-more-not-shown = { $count ->
    [one] { $count } pasaje más no se muestra: prueba `/quote { $reference }` y siguientes.
   *[other] { $count } pasajes más no se muestran: prueba `/quote { $reference }` y siguientes.
}
toc-title = Índice
toc-untitled = (comienzo, sin título)
toc-more-lines = … { $count } líneas más: usa `/toc document:` para un solo texto, o `/read`.
help-intro = Respondo preguntas sobre los textos de abajo con citas exactas y sus referencias. Cito; nunca invento nada.
help-ask = **/ask** `question` — los pasajes que responden, con las palabras coincidentes en negrita y botones para más resultados, un pasaje completo o sus vecinos. Añade `private: True` para ver la respuesta solo tú.
help-quote = **/quote** `reference` — el pasaje o los pasajes exactos: `{ $example }`, un intervalo como `2.3-5`, o el título de una sección como `John 3:16`.
help-read = **/read** `section` — lee un pasaje cada vez con ◀ ▶.
help-toc = **/toc** — las secciones con sus números y cuántos pasajes tienen.
help-mention = **Menciónme** con una pregunta, o envíame un mensaje directo, y te respondo lo mismo.
help-find = **Find in the text** (clic derecho en un mensaje → Apps) — busca en los textos las palabras de cualquier mensaje.
help-bookmark = **/bookmark add** `reference` `note` — guarda un pasaje (o pulsa 🔖 bajo una respuesta); **/bookmarks list** y **/bookmarks export** muestran los tuyos.
help-settings = **/preferences** — tus propios valores en este servidor; **/plan** y **/settings** (administradores del servidor) — un plan de lectura diario, los valores del servidor y su idioma.
help-texts-loaded = Textos cargados
help-and-more = … y { $count } más.

## Errores en lo que se escribió

ref-bad = «{ $input }» no es una referencia que entienda. Prueba una forma como `2.3`, `2.3-5`, `§2 ¶3` o el título de una sección como `John 3:16`.
unknown-document = No hay ningún documento llamado «{ $name }». Cargados: { $loaded }.
notes-label = Notas:
page-label = pág. { $page }
ref-no-page = No hay página “{ $label }” en los textos cargados: solo se conocen las páginas de los archivos PDF.
ref-no-text = Esa referencia no apunta a ningún texto cargado.
ref-no-section = No hay sección { $section } en «{ $title }»: tiene { $count ->
    [one] { $count } sección, numerada del 1 al { $count }.
   *[other] { $count } secciones, numeradas del 1 al { $count }.
} Mira el índice.
ref-bad-range = Los pasajes se numeran desde 1 y un intervalo va hacia delante, p. ej. `{ $example }`.
ref-no-passage = { $name } tiene { $count ->
    [one] { $count } pasaje
   *[other] { $count } pasajes
}; no hay ¶{ $passage }.
ref-several-items = Más de un elemento de «{ $title }» lleva el número «{ $typed }»: { $items }. Escribe uno de esos.
ref-which-text = Hay varios textos cargados; di cuál, p. ej. `{ $example }`. Cargados: { $loaded }.
ref-several-texts-have = Varios textos tienen un «{ $typed }»; di cuál, p. ej. `{ $example }`. Cargados: { $loaded }.
ref-no-such-own = No hay sección «{ $typed }» en «{ $title }», que numera sus propias secciones: { $sections }. Mira el índice.

## Marcadores

bookmark-note-too-long = Tu nota tiene { $length } caracteres; una nota admite como mucho { $most }. Acórtala y vuelve a guardar (no se guardó nada).
bookmark-one-passage = Guarda un pasaje cada vez, como `2.3` (no un intervalo ni una sección entera).
bookmark-too-many = Tienes { $count } marcadores, el máximo que puede guardar un miembro. Expórtalos (`/bookmarks export`) y borra algunos antes.
bookmark-saved = 🔖 Guardado { $reference }. `/bookmarks list` muestra los tuyos, `/bookmarks export` te los envía como archivo.
bookmark-saved-note = 🔖 Guardado { $reference } con tu nota «{ $note }». `/bookmarks list` muestra los tuyos, `/bookmarks export` te los envía como archivo.
bookmarks-none = Aún no tienes marcadores: pulsa 🔖 bajo un pasaje citado, o usa `/bookmark add`.
bookmarks-no-page = No hay página { $page }: tienes { $total ->
    [one] { $total } marcador
   *[other] { $total } marcadores
} en { $pages ->
    [one] { $pages } página.
   *[other] { $pages } páginas.
}
bookmarks-head = **Tus marcadores** (página { $page } de { $pages }, { $total } en total)
bookmarks-next-page = `/bookmarks list page:{ $page }` para la página siguiente.
bookmark-changed-mark = ⚠ el texto cambió desde entonces
bookmark-gone-mark = ⚠ ya no está en los textos
bookmarks-export-none = Aún no tienes marcadores que exportar.
bookmarks-no-part = No hay parte { $part }: tu exportación tiene { $parts ->
    [one] { $parts } parte.
   *[other] { $parts } partes.
}
bookmarks-export = { $count ->
    [one] Tu { $count } marcador en Markdown.
   *[other] Tus { $count } marcadores en Markdown.
}
bookmarks-export-part = Esta es la parte { $part } de { $parts }: `/bookmarks export part:{ $next }` para la siguiente.
export-title = Marcadores
export-title-part = Marcadores ({ $part } de { $parts })
export-note = Nota:
export-changed = El texto de este pasaje cambió desde que se guardó; este es el texto tal como era.
export-gone = Este pasaje ya no está en los textos; este es el texto tal como era.

## Ajustes, preferencias, planes de lectura

no-store = Este bot funciona sin base de datos, así que los ajustes y los planes de lectura están desactivados. Quien lo administra puede activarlos (ver `cabildo db status`).
server-only = Eso solo funciona en un servidor: úsalo en uno de sus canales.
source-command = este comando
source-member = tu preferencia
source-server = ajuste del servidor
source-config = valor del bot
yes = sí
no = no
settings-rate-off = desactivado
settings-rate = { $burst } peticiones seguidas, una más cada { $seconds } s
settings-all-documents = todos los documentos
settings-language-auto = el idioma de Discord de cada miembro
settings-document = Documento por defecto: { $value } ({ $source })
settings-private = Respuestas privadas por defecto: { $value } ({ $source })
settings-results = Resultados por respuesta: { $value } ({ $source })
settings-rate-limit = Límite por miembro: { $value } ({ $source })
settings-language = Idioma del bot: { $value } ({ $source })
out-of-range = { $what } debe ser un número entero del { $low } al { $high }, no { $value }.
range-results = El número de resultados
range-burst = La ráfaga del límite
range-refill = El tiempo de recarga del límite
range-per-day = Los pasajes por día
language-unknown = «{ $typed }» no es un idioma que hable: elige en (inglés), es (español) o auto (el de cada miembro).
settings-heading = Los ajustes de este servidor:
settings-heading-reset = Ajustes devueltos a los valores del bot:
settings-heading-saved = Guardado. Los ajustes de este servidor:
settings-footer = Cada miembro puede elegir los suyos con `/preferences`; una opción del comando siempre manda.
preferences-heading = Los ajustes que se te aplican aquí:
preferences-heading-reset = Tus preferencias se han olvidado; se aplican los ajustes del servidor:
preferences-heading-saved = Guardado. Los ajustes que se te aplican aquí:
preferences-rate-is-servers = El límite de peticiones lo fija el servidor (`/settings`).
preferences-language-is-servers = El idioma del bot aquí lo fija el servidor (`/settings`); si no, sigue el idioma de tu Discord.
plan-text-gone = El texto del plan, `{ $document }`, ya no está entre los textos de este servidor: vuelve a añadirlo con `/texts add`, o detén el plan (`/plan stop`) y empieza otro.
plan-text-not-loaded = El texto del plan ya no está cargado: detén el plan (`/plan stop`) y empieza otro.
plan-skip-past-end = Saltar pasaría del final del texto: la próxima publicación es la última.
plan-none = Este servidor no tiene plan de lectura. Empieza uno con `/plan start`.
plan-from-elsewhere = { $typed } no está en { $document }: da una referencia del texto del plan.
plan-no-passages = Ese texto no tiene pasajes que leer.
plan-cannot-post = No puedo publicar en este canal: aquí necesito Ver canal, Enviar mensajes y Crear hilos públicos. Dámelos, o elige otro canal con la opción `channel`.
plan-exists = Este servidor ya tiene un plan de lectura: míralo con `/plan status`, o termínalo con `/plan stop` antes de empezar otro.
plan-started = Plan de lectura iniciado.
plan-state-active = próxima publicación <t:{ $due }:F> (<t:{ $due }:R>)
plan-state-paused = en pausa ({ $reason }); `/plan resume` sigue desde donde se detuvo
plan-state-ended = terminado
plan-no-reason = sin motivo
plan-paused-by-command = pausado con /plan pause
plan-describe = **{ $title }** en <#{ $channel }>: { $count ->
    [one] { $count } pasaje
   *[other] { $count } pasajes
} al día a las { $time } ({ $timezone }), { $posts } publicados hasta ahora.
    Siguiente: { $next }; { $state }.
time-bad = «{ $typed }» no es una hora que entienda: usa el formato de 24 horas `HH:MM`, como `07:30` o `19:00`.
time-out-of-day = { $typed } no es una hora del día: las horas van de 00 a 23 y los minutos de 00 a 59 (por ejemplo `07:30`).
zone-bad = «{ $typed }» no es una zona horaria que conozca: usa un nombre IANA como `Europe/Madrid`, `America/La_Paz` o `UTC` (ver https://en.wikipedia.org/wiki/List_of_tz_database_time_zones).
plan-post-head = Plan de lectura, día { $day }
plan-post-late = (con retraso: tocaba el { $due })
plan-finished = Ese fue el último pasaje de { $title }: el plan de lectura ha terminado. ¡Gracias por leer juntos!
plan-thread = Día { $day }: { $span }
pause-zone = su zona horaria { $zone } es desconocida
pause-document = el documento { $document } ya no está cargado
pause-channel-gone = su canal ya no existe (se borró, o el bot salió del servidor)
pause-forbidden = el bot no puede publicar en su canal (necesita Ver canal, Enviar mensajes y Crear hilos públicos allí)
plan-paused-tell = El plan de lectura de <#{ $channel }> está en pausa: { $reason }. Arréglalo y usa `/plan resume` en el servidor (o `/plan stop` para terminarlo). No se pierde nada: sigue donde se detuvo.

## Los textos propios de un servidor (/texts)

texts-not-allowed = Solo los miembros con **Gestionar servidor** pueden añadir o quitar textos de este servidor. Pídeselo a uno de ellos, o pide a un administrador que te dé ese permiso.
texts-file-name = «{ $name }»
texts-the-text = el texto
texts-reading = 📥 Leyendo { $name }…
texts-read = 📖 Leído **{ $title }** (`{ $id }`, { $how }, { $language }): { $sections ->
    [one] { $sections } sección
   *[other] { $sections } secciones
}, { $passages ->
    [one] { $passages } pasaje.
   *[other] { $passages } pasajes.
}
texts-indexing = ⏳ Indexando…
texts-ready = ✅ Listo para responder (tras { $seconds } s): pregunta con `/ask question: … document:{ $id }`, o cítalo con `/quote reference:{ $id }:1.1`.
texts-vectors-ready = 🧠 Búsqueda por significado lista: las preguntas hechas con otras palabras que las del texto también lo encuentran.
texts-vectors-failed = No se pudo preparar la búsqueda por significado para él (quien aloja el bot puede ver por qué en el registro); mientras tanto las respuestas se encuentran por las palabras del propio texto.
texts-vectors-starting = 🧠 Preparando la búsqueda por significado…
texts-vectors-progress = 🧠 Preparando la búsqueda por significado: { $percent } % ({ $done } de { $total } pasajes y oraciones). Las respuestas ya funcionan por las palabras del texto.
refused-too-large = { $what } ocupa { $size }, más de los { $max } que puede ocupar un texto aquí. Divídelo en partes (por capítulos, por ejemplo) y añade cada una, o pide a quien aloja el bot que suba `max_text_bytes`.
refused-unreadable = No pude leer { $what }: { $why }.
refused-too-slow = Leer { $what } tardó más de los { $seconds } s permitidos, así que paré. Divídelo en partes más pequeñas y añádelas.
refused-taken = Este servidor ya tiene un texto llamado `{ $id }`. Dale a este otro título con la opción `title`, o quita antes el otro con `/texts remove document:{ $id }`.
refused-host-has = `{ $id }` es uno de los textos propios del bot, que todos los servidores ya tienen. Si el tuyo es otro texto, dale otro título con la opción `title`.
refused-too-many = Este servidor tiene { $count } textos, el máximo que puede guardar ({ $max }). Quita uno antes con `/texts remove`, o pide a quien aloja el bot que suba `max_texts_per_server`.
refused-over-quota = Los textos de este servidor ocupan { $used }; con este ({ $size }) pasarían de los { $max } que puede guardar un servidor. Quita un texto con `/texts remove`, o pide a quien aloja el bot que suba `max_bytes_per_server`.
refused-not-found-none = Este servidor no tiene ningún texto llamado «{ $name }»; aún no tiene textos propios (añade uno con `/texts add`).
refused-not-found = Este servidor no tiene ningún texto llamado «{ $name }». Sus textos: { $texts }.
refused-no-store = Este bot funciona sin base de datos, así que los servidores no pueden guardar textos propios. Quien lo administra puede activarla (ver `cabildo db status`).
refused-no-file = Adjunta el archivo con el comando: `/texts add file:` y elige un archivo de texto, Markdown, HTML, EPUB o PDF.
refused-fetch-not-allowed = { $what } no viene del servidor de archivos de Discord, así que no lo descargué.
refused-fetch-too-large = { $what } ocupa { $size }, más de los { $max } que puede ocupar un texto aquí.
refused-fetch-status = No pude descargar { $what } de Discord (respondió { $code }). Vuelve a intentarlo.
refused-fetch-failed = No pude descargar { $what } de Discord (falló la conexión). Vuelve a intentarlo.
refused-unchanged = No se añadió nada; los textos de este servidor siguen como estaban.
unreadable-empty = el archivo está vacío
unreadable-binary = no es un texto (contiene datos binarios). Envíalo como texto plano, Markdown, HTML, EPUB o un PDF con capa de texto
unreadable-binary-kind = no es un texto (es { $kind }). Envíalo como texto plano, Markdown, HTML, EPUB o un PDF con capa de texto
unreadable-corrupt = no es un archivo { $format } legible ({ $detail })
unreadable-unpacks = al descomprimirlo pasa de { $mb } MB, más de lo que este bot lee; envía una parte más pequeña
unreadable-entries = contiene más de { $limit } archivos, más de los que este bot lee
unreadable-slow = leerlo tardó más de { $seconds } s; envía una parte más pequeña
unreadable-no-text-layer = este PDF no tiene capa de texto (¿es un escaneo?): el bot solo lee el texto que lleva un PDF y no hace OCR. Sirve una copia en texto, EPUB o HTML
unreadable-failed = el lector de { $format } falló con él (un error: quien aloja el bot encontrará los detalles en su registro)
unreadable-encoding = el { $share } % no está en UTF-8, la codificación habitual de los archivos de texto. Guárdalo como texto UTF-8 y vuelve a enviarlo
unreadable-no-passages = no tiene párrafos de texto
texts-removed = 🗑 Quitado **{ $title }** (`{ $id }`) de los textos de este servidor. Ya no se responde desde él; sus botones dicen que están desfasados, y los marcadores conservan los pasajes que guardaron.
texts-removed-plan = El plan de lectura sobre él está en pausa (`/plan status`); detenlo con `/plan stop`, o vuelve a añadir el texto y usa `/plan resume`.
texts-host = quien aloja el bot
texts-list-head = **Los textos de este servidor** ({ $count } de { $max }, { $used } de { $most }):
texts-list-none = Ninguno todavía: añade uno con `/texts add file:`.
texts-list-item = `{ $id }` **{ $title }**: { $size }, { $passages ->
    [one] { $passages } pasaje
   *[other] { $passages } pasajes
}; añadido por { $by } <t:{ $when }:R>
texts-list-host = **Textos que tienen todos los servidores**:

## Botones y mensajes que ya no funcionan

find-no-text = Ese mensaje no tiene texto que buscar.
button-stale = Ese botón ya no funciona (el bot se actualizó o reinició, o cambiaron los textos). Vuelve a usar el comando.
button-out-of-date = Ese botón está desfasado: el texto que cita ha cambiado desde entonces. Vuelve a usar el comando.
button-text-gone = Ese botón está desfasado: el texto que cita ya no está entre los textos de este servidor (`/texts list` los muestra).

## La línea de comandos

cli-answer-nothing = Nada en el texto responde a eso. Prueba con otras palabras, o recorre las secciones con `cabildo toc`.
cli-answer-not-sure = Nada en el texto responde claramente a eso; estos son los pasajes más cercanos. Prueba con otras palabras, o recorre las secciones con `cabildo toc`.
cli-untitled-opening = (comienzo sin título)
cli-untitled = (sin título)
# El idioma de un texto en `toc` ($code: su código ISO 639-1, `und` si no se determinó; $name: su nombre en inglés).
language-name = { $code ->
    [af] afrikáans
    [ak] akan
    [am] amárico
    [ar] árabe
    [az] azerí
    [be] bielorruso
    [bn] bengalí
    [bg] búlgaro
    [ca] catalán
    [cs] checo
    [zh] chino
    [cy] galés
    [da] danés
    [de] alemán
    [el] griego
    [en] inglés
    [eo] esperanto
    [et] estonio
    [fi] finés
    [fr] francés
    [gu] guyaratí
    [he] hebreo
    [hi] hindi
    [hr] croata
    [hu] húngaro
    [hy] armenio
    [id] indonesio
    [it] italiano
    [jv] javanés
    [ja] japonés
    [kn] canarés
    [ka] georgiano
    [km] jemer
    [ko] coreano
    [la] latín
    [lv] letón
    [lt] lituano
    [ml] malayalam
    [mr] maratí
    [mk] macedonio
    [my] birmano
    [ne] nepalí
    [nl] neerlandés
    [nb] noruego
    [or] oriya
    [pa] panyabí
    [fa] persa
    [pl] polaco
    [pt] portugués
    [ro] rumano
    [ru] ruso
    [si] cingalés
    [sk] eslovaco
    [sl] esloveno
    [sn] shona
    [es] español
    [sr] serbio
    [sv] sueco
    [ta] tamil
    [te] telugu
    [tl] tagalo
    [th] tailandés
    [tk] turcomano
    [tr] turco
    [uk] ucraniano
    [ur] urdu
    [uz] uzbeko
    [vi] vietnamita
    [yi] ídish
    [zu] zulú
    [und] sin determinar
   *[other] { $name }
}

## Descripciones de comandos y opciones (Discord muestra 100 caracteres como mucho)

cmd-ask = Haz una pregunta; recibe, citados, los pasajes del texto que la responden
cmd-quote = Cita pasajes por referencia: 2.3, 2.3-5, John 3:16
cmd-read = Lee el texto pasaje a pasaje, con botones para avanzar
cmd-toc = El índice: las secciones, sus números y cuántos pasajes tienen
cmd-help = Qué hace este bot, sus comandos y sus textos
cmd-bookmark = Guarda un pasaje, con una nota, para volver a encontrarlo
cmd-bookmarks = Tus marcadores (solo tú los ves)
cmd-texts = Los textos propios de este servidor: añadir, quitar, listar (Gestionar servidor)
cmd-settings = Los ajustes del bot en este servidor (Gestionar servidor)
cmd-preferences = Tus propios valores en este servidor (por encima de los del servidor)
cmd-plan = Leer un texto juntos: los pasajes siguientes publicados cada día (Gestionar servidor)
opt-question = Tu pregunta, con tus propias palabras
opt-private = Mostrar la respuesta solo a ti
opt-reference = Una referencia como 2.3, 2.3-5 o John 3:16 (empieza a escribir el título de una sección)
opt-section = Dónde empezar: el número o el título de una sección (empieza a escribir)
opt-paragraph = El pasaje por el que empezar (por defecto, el primero)
opt-reference-2 = El pasaje: 2.3, John 3:16 (empieza a escribir el título de una sección)
opt-note = Tu nota (hasta 500 caracteres)
opt-page = La página (por defecto, 1)
opt-part = La parte, cuando la exportación ocupa varios mensajes (por defecto, 1)
opt-file = El texto: texto plano, Markdown, HTML, EPUB o PDF
opt-title = Su título (por defecto, el que dice el texto, si no el nombre del archivo)
opt-language = Su idioma, como en o es (por defecto, se deduce del texto)
opt-document = El texto que quitar (empieza a escribir su nombre)
opt-results = Pasajes por respuesta (1-10)
opt-rate-burst = Límite: peticiones que un miembro puede enviar seguidas (1-100)
opt-rate-refill-seconds = Límite: segundos hasta que vuelve una petición usada (0 lo desactiva)
opt-document-2 = El texto que leer
opt-from = Dónde empezar, una referencia como 2.1 (por defecto, el principio)
opt-passages-per-day = Pasajes en cada publicación (1-10, por defecto 1)
opt-channel = Dónde publicar (por defecto, este canal)
opt-time = Hora local de la publicación, HH:MM de 24 horas (por defecto 08:00)
opt-timezone = Zona horaria IANA como Europe/Madrid (por defecto UTC)
sub-add = Guarda un pasaje por su referencia
sub-list = Tus marcadores, diez por página
sub-export = Tus marcadores en un archivo Markdown
sub-add-2 = Añade un texto a este servidor desde un archivo (texto, Markdown, HTML, EPUB o PDF)
sub-remove = Quita uno de los textos de este servidor
sub-list-2 = Los textos de este servidor y los que tienen todos los servidores
sub-show = Muestra los ajustes y de dónde viene cada uno
sub-set = Cambia ajustes; las opciones que no des se quedan como están
sub-reset = Vuelve a los valores del bot
sub-show-2 = Muestra los ajustes que se te aplican
sub-set-2 = Cambia tus valores; las opciones que no des se quedan como están
sub-reset-2 = Olvida tus valores
sub-start = Empieza un plan de lectura en este servidor
sub-status = El plan: qué viene después, y cuándo
sub-pause = Deja de publicar hasta que se reanude
sub-resume = Vuelve a publicar, desde donde se detuvo
sub-skip = Salta los pasajes del día siguiente
sub-stop = Termina el plan
opt-document-3 = Buscar solo en este texto
opt-document-4 = Solo este texto
opt-server-document = Texto por defecto de /ask y /read (`all` para todos)
opt-server-private = Por defecto: respuestas que solo ve quien pregunta
opt-member-document = Tu texto por defecto para /ask y /read (`all` para todos)
opt-member-private = Tu valor por defecto: respuestas que solo ve quien pregunta
opt-server-language = El idioma de las palabras del bot aquí (por defecto, el de cada miembro)
choice-language-auto = El de cada miembro (su idioma de Discord)
complete-opening = §{ $number } (comienzo)
