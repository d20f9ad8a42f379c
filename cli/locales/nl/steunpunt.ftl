# Wat `steunpunt` zegt, in het Nederlands. Elke id staat ook in ../en/steunpunt.ftl.

nothing-found = (niets gevonden)
yes = ja
no = nee

## steunpunt status
status-name = steunpunt
status-neighbours = buren
status-no-neighbours = nog geen; zie hieronder wat u een buur stuurt
status-peering-line = Stuur een naburig steunpunt deze regel; hun beheerder typt hem in:
neighbour-connected = verbonden
neighbour-not-connected = niet verbonden
neighbour-connected-for = verbonden, al { $duration }
neighbour-not-connected-for = niet verbonden, al { $duration }
duration-seconds = { $n ->
    [one] 1 seconde
   *[other] { $n } seconden
}
duration-minutes = { $n ->
    [one] 1 minuut
   *[other] { $n } minuten
}
duration-hours = { $n ->
    [one] 1 uur
   *[other] { $n } uur
}
duration-days = { $n ->
    [one] 1 dag
   *[other] { $n } dagen
}
neighbour-refused = geweerd, nog { $duration }
warning-refused = { $name } is nog { $duration } geweerd: hun node stuurde { $what }. Vraag hun beheerder wat er mis is; gebeurt het vaker, blokkeer het steunpunt dan met `steunpunt peer block`.
refused-invalid_records = gegevens met een handtekening die niet klopt
refused-unreadable_sync = syncberichten die niet te lezen of te groot zijn
refused-too_many_sessions = meer syncsessies dan een sync nodig heeft
neighbour-peered-back = heeft ons ook toegevoegd
neighbour-not-peered-back = heeft ons nog niet toegevoegd
neighbour-unknown = of het ons heeft toegevoegd is nog niet bekend
warning-recovering = Na het terugzetten haalt de node eerst onze eigen gegevens terug bij de buren; tot dan kan er niets gepubliceerd worden. Dat duurt meestal minder dan een minuut zodra een buur bereikbaar is.
warning-disk-full = De schijf met de datamap is vol: publiceren mislukt en gegevens van de buren wachten. Zoeken gaat door. Maak ruimte; de node gaat daarna vanzelf verder.
warning-writes-failing = Opslaan mislukt: { $reason }. Zoeken gaat door.
warning-disk-low = De schijf met de datamap is bijna vol: { $free } GB vrij van { $total } GB. Maak ruimte voordat publiceren mislukt.
warning-not-peered-back = { $name } heeft ons nog niet als buur toegevoegd; stuur ze de regel hieronder.
warning-not-connected = { $name } is niet verbonden; draait hun node, en klopt het adres?
col-state = toestand
peer-now-exchanging = Verbonden, en dat steunpunt heeft ons ook toegevoegd: gegevens worden nu uitgewisseld.
peer-connected-not-back = Verbonden, maar dat steunpunt heeft ons nog niet toegevoegd; gegevens worden uitgewisseld zodra het dat doet. Stuur ze de regel uit `steunpunt status`.
peer-back-not-connected = Dat steunpunt heeft ons ook toegevoegd, maar hun node antwoordt nu niet; draait hij, en klopt het adres? We blijven het proberen.
peer-waiting-for-them = Nog geen verbinding: hun node laat ons pas toe als dat steunpunt ons ook heeft toegevoegd. Stuur ze de regel uit `steunpunt status`. Hebben ze dat al gedaan, kijk dan of hun node draait en of het adres klopt; we blijven het proberen.
region-ourselves = wijzelf
region-hops = { $hops ->
    [one] 1 stap
   *[other] { $hops } stappen
}
col-municipalities = gemeenten
col-distance-hops = afstand
col-vouched-by = via
col-vacancies = vacatures
col-organisations = organisaties
col-last-change = laatst gewijzigd
status-steunpunt-id = Steunpunt-ID
status-peer-id = PeerId
status-listening = luistert op
status-connected = verbonden
status-connected-value = { $count ->
    [one] 1 node
   *[other] { $count } nodes
}
status-trusted = vertrouwd
status-trusted-value = { $count ->
    [one] 1 steunpunt (wijzelf)
   *[other] { $count } steunpunten (wijzelf meegeteld)
}
status-trusted-via = { $name }: { $hops }, via { $via }
status-trusted-more = en nog { $count }; `steunpunt region` toont ze allemaal
status-expiring = verloopt binnenkort
status-expiring-value = { $count ->
    [0] geen eigen vacatures binnen { $days } dagen
    [one] 1 eigen vacature binnen { $days } dagen (vacancy expiring)
   *[other] { $count } eigen vacatures binnen { $days } dagen (vacancy expiring)
}
expiring-none = Niets van ons verloopt binnen { $days } dagen.
expiring-hint = Publiceer een vacature opnieuw met een latere valid_until om haar te verlengen.
status-records = gegevens
status-records-value = { $vacancies ->
    [one] 1 vacature
   *[other] { $vacancies } vacatures
}, { $organisations ->
    [one] 1 organisatie
   *[other] { $organisations } organisaties
}, { $profiles ->
    [one] 1 steunpunt
   *[other] { $profiles } steunpunten
}

## steunpunt peer …
peer-added = { $name } is toegevoegd als buur; onze node maakt verbinding.
peer-replaced = Het eerder opgeslagen adres ({ $old }) is vervangen.
peer-removed = { $steunpunt } is geen buur meer: we staan niet meer voor dat steunpunt in en maken geen verbinding meer.
peer-blocked = { $steunpunt } is geblokkeerd: nooit vertrouwd, ook niet als anderen ervoor instaan.
col-steunpunt-id = steunpunt-ID
col-connected = verbonden
no-peers = Nog geen buren. Voeg er een toe met `steunpunt peer add ADRES --steunpunt ID`.
peer-not-connected = nee; heeft dat steunpunt ons al toegevoegd, en draait zijn node?
col-address = adres

## lijsten en zoeken
col-id = id
col-title = titel
col-municipality = gemeente
col-valid-until = geldig tot
col-steunpunt = steunpunt
col-organisation = organisatie
col-engagement = inzet
col-kind = soort
col-expertise = expertise
col-updated = bijgewerkt
col-distance = afstand
steunpunt-unknown-name = Geen steunpunt heet `{ $name }`. Bekend zijn: { $known }. Of geef het steunpunt-ID (sp_…).
steunpunt-ambiguous-name = Meerdere steunpunten passen bij `{ $name }`: { $found }. Geef de volledige naam of het steunpunt-ID.
export-others-data = let op: deze export bevat ook gegevens van andere steunpunten ({ $count ->
        [one] 1 vacature of organisatie
       *[other] { $count } vacatures en organisaties
    }), met namen en contactgegevens van personen. Deel hem niet verder dan nodig en verwijder hem zodra u hem niet meer gebruikt; elk steunpunt blijft verantwoordelijk voor zijn eigen gegevens.
export-json-and-format = --json en --format gaan niet samen: export schrijft JSON, tenzij --format iets anders vraagt. Laat een van beide weg.
search-shown-of = { $shown } van { $total } getoond (meer met --limit, tot 200).
shown-of = { $shown } van { $total } getoond; `steunpunt export` geeft ze allemaal.
col-score = score
withdrawn = Ingetrokken: { $id }. Het verdwijnt bij alle steunpunten.

## steunpunt vacancy show / org show
show-organisation = Organisatie
show-where = Waar
show-remote = ook op afstand
show-what = Wat
show-categories = Categorieën
show-target-groups = Doelgroepen
show-engagement = Inzet
show-hours = Uren per week
show-time-of-day = Wanneer
show-period = Periode
show-from = vanaf { $date }
show-until = tot en met { $date }
show-mas = MaS
show-mas-suitable = geschikt voor een maatschappelijke stage
show-mas-from-age = geschikt voor een maatschappelijke stage vanaf { $age } jaar
show-requirements = Vereisten
show-rewards = Vergoeding
show-volunteers-needed = Gezocht
show-volunteers-count = { $count ->
    [one] 1 vrijwilliger
   *[other] { $count } vrijwilligers
}
show-contact = Contact
show-apply = Aanmelden
show-kind = Soort
show-expertise = Expertise
show-relation = Relatie
show-services = Dienstverlening
show-vetted-on = Gecontroleerd op
show-kvk = KvK-nummer
show-website = Website
show-published-by = Gepubliceerd door
show-steunpunt-id = Steunpunt-ID
show-neighbour = onze buur
show-own = wijzelf
show-trusted-via = vertrouwd via { $voucher } ({ $hops ->
    [one] 1 stap
   *[other] { $hops } stappen
})
show-updated = Bijgewerkt
show-revision = { $date }, versie { $revision }
show-valid-until = Geldig tot
show-id = ID
show-withdrawn = Deze vacature of organisatie is ingetrokken.
show-not-found = Geen { $kind } met id `{ $id }`; `steunpunt { $command } list` toont de ids.
show-ambiguous = Meerdere steunpunten hebben een { $kind } met id `{ $id }`: { $steunpunten }. Kies er een met --steunpunt.
kind-vacancy = vacature
kind-organisation = organisatie

## fouten bij het praten met de node
error-no-data-dir = Geen datamap bekend; geef --data-dir of zet STEUNPUNT_DATA_DIR.
init-cannot-run = Kan { $daemon } niet starten; is steunpuntd geïnstalleerd (naast steunpunt)?
init-failed = init is niet afgemaakt (zie de melding hierboven).
error-not-running = De node draait niet (er is geen { $file }). Start hem met `steunpuntd --data-dir { $dir }`.
error-unreachable = De node op { $addr } antwoordt niet. Draait steunpuntd? Start hem met `steunpuntd --data-dir { $dir }`.
error-unauthorized = De node weigert het API-token. Wijst --data-dir naar de datamap van deze node ({ $dir })?
error-unexpected = Het antwoord van de node op { $path } is niet wat deze versie verwacht ({ $reason }). Zijn steunpunt en steunpuntd dezelfde versie?
error-other = Praten met de node lukte niet: { $reason }
error-busy = De node heeft het te druk: te veel verbindingen met de API tegelijk. Probeer het zo opnieuw.

## datums
date = { $day } { $month } { $year }
month-1 = januari
month-2 = februari
month-3 = maart
month-4 = april
month-5 = mei
month-6 = juni
month-7 = juli
month-8 = augustus
month-9 = september
month-10 = oktober
month-11 = november
month-12 = december

## steunpunt import, vacancy publish, org publish
import-stdin-unreadable = Standaardinvoer is geen leesbare UTF-8-tekst.
import-stdin-name = standaardinvoer
import-unreadable = Kan { $file } niet lezen
import-not-utf8 = { $file } is geen UTF-8-tekst; sla het op als UTF-8 (in Excel: CSV UTF-8).
import-bad-json = { $name } is geen geldige JSON: regel { $line }, kolom { $column }: { $reason }
import-json-shape = { $name } moet één JSON-object of een lijst van objecten bevatten.
import-item = item { $n }
import-not-object = is geen JSON-object
import-foreign = is gepubliceerd door een ander steunpunt ({ $author }); alleen eigen gegevens kunnen worden geïmporteerd
import-withdrawal = is een intrekking; er is niets te publiceren
import-bad-kind = record: `{ $text }` is geen soort; schrijf vacature of organisatie
import-unknown-kind = het is niet te zien of dit een vacature of een organisatie is: geef een title (vacature) of een name (organisatie), of een veld record
import-no-header = Kan de kopregel van { $name } niet lezen
import-unknown-columns = { $name }: onbekende kolom(men) { $unknown }; de kolommen zijn: { $known }
import-repeated-column = { $name }: de kolom { $column } staat twee keer in de kopregel.
import-no-title-column = { $name }: de kopregel heeft geen kolom title (vacatures) of name (organisaties).
import-cell-count = heeft { $cells } cellen, de kopregel { $header }; kijk of er een scheidingsteken ontbreekt of te veel staat
import-line = regel { $line }
import-unreadable-row = is niet te lezen: { $reason }
import-same-id = heeft hetzelfde id ({ $id }) als { $first }; geef elke { $kind } een eigen waarde in de kolom id
import-same-subject = beschrijft dezelfde { $kind } als { $first } (zelfde titel, organisatie en plaats); voeg de rijen samen, of geef elke { $kind } een eigen waarde in de kolom id
import-updated = bijgewerkt: { $id } (gewijzigd: { $fields })
import-would-update = zou { $id } bijwerken (gewijzigd: { $fields })
import-numbered = nieuw als { $id }: een andere { $kind } van ons heeft dezelfde titel, met een andere organisatie of plaats
import-would-number = zou nieuw worden als { $id }: een andere { $kind } van ons heeft dezelfde titel, met een andere organisatie of plaats
import-progress-rows = rijen
import-progress-left = nog ongeveer
import-wrong-kind = is een { $kind }, geen { $wanted }; gebruik `steunpunt import` voor bestanden met beide
import-stopped = De import stopte bij { $row }; de rijen daarvoor zijn verwerkt.
import-rejected-row = { $row }: afgewezen: { $reason }
import-summary = { $rows ->
    [one] 1 rij
   *[other] { $rows } rijen
}: { $new } nieuw, { $updated } bijgewerkt, { $unchanged } ongewijzigd, { $rejected } afgewezen
import-dry-run-note = (proefrun: er is niets gepubliceerd)
import-one-failed = { $row } is niet gepubliceerd: { $reason }
import-some-failed = { $rejected } van de { $rows } rijen zijn afgewezen (zie hierboven); verbeter ze en importeer het bestand opnieuw: rijen die al gepubliceerd zijn blijven zoals ze zijn.
column-not-yes-no = kolom { $column }: `{ $text }` is geen ja of nee; schrijf ja of nee
column-not-number = kolom { $column }: `{ $text }` is geen getal; schrijf bijvoorbeeld 4 of 2,5
column-not-whole = kolom { $column }: `{ $text }` is geen heel getal; schrijf bijvoorbeeld 14
column-bad-kind = kolom record: `{ $text }` is geen soort; schrijf vacature of organisatie
column-unknown-kind = het is niet te zien of deze rij een vacature of een organisatie is: vul title (vacature) of name (organisatie) in, of de kolom record
column-not-applicable = kolom { $column } hoort niet bij een { $kind }; laat hem leeg in deze rij

## wat de node van een vacature, organisatie of zoekvraag zegt (codes: protocol/src/validate.rs, RULES)
problem-empty = is leeg; vul het in
problem-too_long = is { $chars } tekens lang; er mogen er hoogstens { $max } zijn
problem-control_characters = bevat stuurtekens; gebruik gewone tekst
problem-invisible_characters = bevat een onzichtbaar of richtingveranderend teken ({ $codepoint }); haal het weg, want het kan de tekst er anders uit laten zien dan er staat
problem-unknown_term = `{ $value }` is geen bekende { $vocabulary }; kies uit: { $allowed }
problem-invalid_code = `{ $value }` is geen geldige code voor { $vocabulary }
problem-too_few = noem minstens { $min } { $vocabulary }; kies uit: { $allowed }
problem-repeated = `{ $value }` staat er twee keer in
problem-too_many_items = heeft { $len } onderdelen; hoogstens { $max } mogen
problem-unknown_postcode = postcode { $value } bestaat niet in Nederland; kijk de vier cijfers na
problem-email = `{ $value }` is geen e-mailadres zoals info@voorbeeld.nl
problem-phone = `{ $value }` is geen telefoonnummer zoals 076-5221234 of +31 76 522 1234
problem-url = `{ $value }` is geen webadres zoals https://www.voorbeeld.nl
problem-municipality_needed = noem minstens één gemeente die het steunpunt bedient
problem-postcode = `{ $value }` is geen Nederlandse postcode zoals 4811 AB
problem-peer_id = `{ $value }` is geen PeerId van een node (die beginnen met 12D3KooW)
problem-lists_itself = een steunpunt kan zichzelf niet noemen
problem-vouched_and_blocked = { $value } is zowel vertrouwd als geblokkeerd; kies een van beide
problem-kvk = `{ $value }` is geen KvK-nummer; dat heeft precies 8 cijfers
problem-organisation_needed = geef de naam van de organisatie (of het id van haar gegevens)
problem-age = { $value } is geen zinnige leeftijd; gebruik { $min } tot 99
problem-age_without_mas = telt alleen als mas.suitable true is
problem-hours = { $value } kan niet; geef een getal van { $min } tot en met { $max }
problem-end_before_start = { $end } ligt voor de begindatum { $start }
problem-volunteers_needed = moet minstens 1 zijn, of leeg blijven
problem-contact_needed = geef een e-mailadres, telefoonnummer, contact-url of apply_url, zodat vrijwilligers kunnen reageren
problem-latitude = { $value } is geen breedtegraad; gebruik graden van -90 tot 90
problem-longitude = { $value } is geen lengtegraad; gebruik graden van -180 tot 180
problem-lat_lon_pair = geef lat en lon allebei, of geen van beide
problem-managed_id = een { $kind }-record heeft altijd het id `{ $kind }`
problem-revision = begint bij 1
problem-not_valid = { $valid_until } ligt niet na updated_at { $updated_at }; een record moet enige tijd geldig zijn
problem-valid_too_long = { $valid_until } ligt meer dan 400 dagen na updated_at { $updated_at }; verleng het record later opnieuw
problem-body_kind = een { $kind }-record heeft een { $body }-inhoud
problem-other_kind = dit zijn de velden van een { $kind }; publiceer ze met `steunpunt { $command } publish`
problem-version = moet { $version } zijn
problem-shape = heeft niet de goede vorm; schrijf het zo: { $example }
problem-shape_or = heeft niet de goede vorm; schrijf het zo: { $example }, of kort: { $short }
problem-unknown_field = is geen veld van een { $kind }; kijk de spelling na (`steunpunt { $command } template` toont alle velden)
problem-record_id = `{ $value }` kan geen id zijn: gebruik kleine letters, cijfers en streepjes, zoals voorlezen-op-school
problem-id_needed = geef een id, of een titel waarvan er een gemaakt kan worden
problem-no_free_id = alle ids gemaakt van `{ $id }` zijn al in gebruik; geef de { $kind } een eigen id
problem-date = `{ $value }` is geen datum; schrijf bijvoorbeeld 2027-03-01 of 1-3-2027
problem-end_passed = { $end } is al voorbij; een vacature die afgelopen is kan niet gepubliceerd worden
problem-unknown_municipality = `{ $value }` staat niet in de postcodetabel; kijk de spelling na, anders vindt zoeken op plaats dit niet
problem-postcode_elsewhere = postcode { $pc4 } ligt in { $place }, { $km } km van { $municipality }; kijk de postcode of de gemeente na
problem-start_far = { $start } is meer dan een jaar vooruit; klopt het jaar?
problem-phone_in_text = lijkt een telefoonnummer te bevatten ({ $found }); zet contactgegevens liever in { $use }: daar zijn ze als persoonsgegevens herkenbaar en staan ze op één plek
problem-email_in_text = lijkt een persoonlijk e-mailadres te bevatten ({ $found }); zet contactgegevens liever in { $use }: daar zijn ze als persoonsgegevens herkenbaar en staan ze op één plek
problem-vacancies_only = geldt alleen voor vacatures (`steunpunt search`)
problem-organisations_only = geldt alleen voor organisaties (`steunpunt org search`)
problem-unknown_place = `{ $value }` is geen postcode van vier cijfers en geen Nederlandse plaatsnaam
problem-limit = moet 1 tot { $max } zijn
problem-age_needs_mas = geldt alleen samen met --mas
problem-steunpunt_id = `{ $value }` is geen steunpunt-ID (sp_ en 56 letters en cijfers) en geen naam van een vertrouwd steunpunt
problem-needs_near = werkt alleen met --near (een postcode of plaats)
problem-radius = moet boven 0 liggen en hoogstens { $max } zijn
problem-query_too_long = hoogstens { $max } bytes aan zoekwoorden
problem-lowers_valid_until = { $requested } ligt voor de huidige { $current }; een record kan alleen langer geldig worden (trek het in om het weg te halen)
problem-too_large = het record zou groter worden dan 64 KiB; maak de omschrijving of de lijsten korter
problem-no_such_record = wij hebben geen { $kind } met id `{ $id }`; `steunpunt { $command } list --mine` toont de onze
problem-managed_record = het { $kind }-record beheert de node zelf: het profiel via config.toml, de buren via `steunpunt peer`
problem-recovering = deze node haalt na het terugzetten eerst zijn eigen gegevens terug bij de buren; probeer het over een minuut opnieuw
problem-disk_full = de schijf met de gegevens van de node is vol, dus er is niets opgeslagen; maak ruimte en probeer het opnieuw (herstarten is niet nodig)
problem-search_behind = de zoekindex kon niet worden bijgewerkt; de nieuwste wijzigingen kunnen in deze resultaten ontbreken tot er weer ruimte is op de schijf
problem-own_steunpunt = dat is het ID van ons eigen steunpunt
problem-multiaddr = `{ $value }` is geen node-adres zoals /ip4/192.0.2.10/tcp/4001/p2p/12D3KooW…
problem-missing_peer_id = het adres moet eindigen op /p2p/ en de PeerId van de node (`steunpunt status` bij de buren toont het)
vocabulary-category = categorie
vocabulary-target-group = doelgroep
vocabulary-engagement = soort inzet
vocabulary-time-of-day = dagdeel
vocabulary-expertise = expertise
vocabulary-organisation-kind = soort organisatie
vocabulary-relation = relatie
kind-word-vacancy = vacancy
kind-word-organisation = org
field-column = kolom { $column }
field-words = zoekwoorden
problems-heading = { $count ->
    [one] 1 fout:
   *[other] { $count } fouten:
}
warning = let op
repeated-in-rows = { $count } rijen ({ $rows }): { $problem }

## fouten op de opdrachtregel
usage-unknown-command = `{ $command }` is geen opdracht.
usage-unknown-option = `{ $option }` is geen optie van deze opdracht.
usage-bad-value = `{ $value }` past niet bij { $option }.
usage-bad-choice = `{ $value }` past niet bij { $option }; kies uit: { $valid }.
usage-missing = Dit ontbreekt nog: { $missing }.
usage-conflict = { $option } kan niet samen met { $other }.
usage-did-you-mean = Bedoelt u `{ $suggested }`?
usage-heading = Gebruik
usage-more = Meer uitleg: voeg --help toe.

## Hulpteksten (--help). De Engelse staan in cli/src/main.rs bij de opdrachten zelf.
help-template = {"{"}about-with-newline{"}"}
    Gebruik: {"{"}usage{"}"}

    {"{"}all-args{"}"}{"{"}after-help{"}"}
help-heading-commands = Opdrachten
help-heading-options = Opties
help-heading-arguments = Argumenten
help-value-command = OPDRACHT
help-flag = Toon deze hulp (meer met --help)
help-version = Toon de versie
help = Vacatures en partnerorganisaties publiceren en zoeken in de hele regio.
help--long = Vacatures en partnerorganisaties publiceren en zoeken in de hele regio.

    Voorbeeld: steunpunt search voorlezen --near 4811 --radius-km 15
help--data_dir = Datamap van de node (standaard: $STEUNPUNT_DATA_DIR, anders de datamap van het systeem)
help--json = Toon JSON: één object, of JSON Lines voor lijsten
help--lang = Taal van meldingen en tabellen: nl (standaard) of en; zonder deze optie kiest een Engelse LANG of LC_ALL Engels
help-init = Maakt een nieuw steunpunt: sleutels en config.toml in de datamap.
help-init--long = Maakt een nieuw steunpunt: sleutels en config.toml in de datamap.

    Voorbeeld: steunpunt --data-dir ./breda init --name "Steunpunt Breda" --municipality Breda
help-init--name = Naam van het steunpunt
help-init--municipality = Gemeente die het steunpunt bedient (mag vaker)
help-init--listen = libp2p-adres om op te luisteren (mag vaker), bijvoorbeeld /ip4/0.0.0.0/tcp/4001
help-init--api = Adres van de API, bijvoorbeeld 127.0.0.1:7300
help-status = Toont de node: steunpunt-ID, PeerId, adressen, verbindingen en aantallen.
help-status--long = Toont de node: steunpunt-ID, PeerId, adressen, verbindingen en aantallen.

    Voorbeeld: steunpunt status
help-peer = Buren: steunpunten waarmee onze node gegevens uitwisselt.
help-peer-add = Koppelt een naburig steunpunt: we staan ervoor in en maken verbinding met zijn node.
help-peer-add--long = Koppelt een naburig steunpunt: we staan ervoor in en maken verbinding met zijn node. Gegevens worden uitgewisseld zodra dat steunpunt ons ook heeft toegevoegd.

    Voorbeeld: steunpunt peer add /ip4/192.0.2.10/tcp/4001/p2p/12D3KooW… --steunpunt sp_… --label "Steunpunt Tilburg"
help-peer-add--multiaddr = Het adres van de node van de buur, eindigend op /p2p/PEER_ID (zijn `steunpunt status` toont het)
help-peer-add--steunpunt = Het steunpunt-ID van de buur (sp_…)
help-peer-add--label = Een naam voor de buur, bijvoorbeeld "Steunpunt Tilburg"
help-peer-list = Toont onze buren, met hun volledige steunpunt-ID en adres, en of ze ons ook hebben toegevoegd.
help-peer-list--long = Toont onze buren, met hun volledige steunpunt-ID en adres, en of ze ons ook hebben toegevoegd.

    Voorbeeld: steunpunt peer list
help-peer-remove = Ontkoppelt een buur: we staan er niet meer voor in en maken geen verbinding meer.
help-peer-remove--long = Ontkoppelt een buur: we staan er niet meer voor in en maken geen verbinding meer.

    Voorbeeld: steunpunt peer remove "Steunpunt Tilburg" (of het steunpunt-ID, sp_…)
help-peer-remove--id = Steunpunt-ID (sp_…) of de naam van de buur
help-peer-block = Blokkeert een steunpunt: nooit vertrouwd, ook niet als anderen ervoor instaan.
help-peer-block--long = Blokkeert een steunpunt: nooit vertrouwd, ook niet als anderen ervoor instaan.

    Voorbeeld: steunpunt peer block sp_…
help-peer-block--id = Steunpunt-ID (sp_…) of de naam van een vertrouwd steunpunt
help-vacancy = Onze vacatures.
help-vacancy-publish = Publiceert (of werkt bij) vacatures uit een JSON-bestand, of `-` voor standaardinvoer; toont de ids.
help-vacancy-publish--long = Publiceert (of werkt bij) vacatures uit een JSON-bestand, of `-` voor standaardinvoer; toont de ids. `steunpunt vacancy template` geeft een voorbeeld met alle velden.

    Voorbeeld: steunpunt vacancy publish voorlezen.json
help-vacancy-publish--file = Een JSON-object, of een lijst van objecten
help-vacancy-withdraw = Trekt een van onze vacatures in; ze verdwijnt bij alle steunpunten.
help-vacancy-withdraw--long = Trekt een van onze vacatures in; ze verdwijnt bij alle steunpunten.

    Voorbeeld: steunpunt vacancy withdraw voorlezen-op-de-basisschool
help-vacancy-withdraw--id = Id van de vacature
help-vacancy-list = Toont de vacatures die de node heeft (van de hele regio, of alleen de onze).
help-vacancy-list--long = Toont de vacatures die de node heeft (van de hele regio, of alleen de onze).

    Voorbeeld: steunpunt vacancy list --mine
help-vacancy-list--mine = Alleen onze eigen
help-vacancy-list--wide = Meer kolommen: organisatie en inzet, en wanneer het laatst bijgewerkt
help-vacancy-template = Toont een volledig voorbeeld met uitleg bij elk veld, om te kopiëren, aan te passen en te publiceren.
help-vacancy-template--long = Toont een volledig voorbeeld met uitleg bij elk veld, om te kopiëren, aan te passen en te publiceren; de regels met // mogen blijven staan.

    Voorbeeld: steunpunt vacancy template > nieuw.json
help-vacancy-show = Toont één vacature volledig: wat, waar, wanneer, hoe aanmelden, en wie haar publiceerde.
help-vacancy-show--long = Toont één vacature volledig: wat, waar, wanneer, hoe aanmelden, en wie haar publiceerde.

    Voorbeeld: steunpunt vacancy show voorlezen-op-de-basisschool
help-vacancy-show--id = Id, zoals `list` en `search` het tonen
help-vacancy-show--steunpunt = Het steunpunt-ID of de naam van de uitgever, als meer steunpunten dit id gebruiken (standaard: wijzelf, anders het enige dat het heeft)
help-org = Onze partnerorganisaties.
help-org-publish = Publiceert (of werkt bij) organisaties uit een JSON-bestand, of `-` voor standaardinvoer; toont de ids.
help-org-publish--long = Publiceert (of werkt bij) organisaties uit een JSON-bestand, of `-` voor standaardinvoer; toont de ids. `steunpunt org template` geeft een voorbeeld met alle velden.

    Voorbeeld: steunpunt org publish partners.json
help-org-publish--file = { help-vacancy-publish--file }
help-org-withdraw = Trekt een van onze organisaties in; ze verdwijnt bij alle steunpunten.
help-org-withdraw--long = Trekt een van onze organisaties in; ze verdwijnt bij alle steunpunten.

    Voorbeeld: steunpunt org withdraw schuldhulpmaatje-breda
help-org-withdraw--id = Id van de organisatie
help-org-list = Toont de organisaties die de node heeft (van de hele regio, of alleen de onze).
help-org-list--long = Toont de organisaties die de node heeft (van de hele regio, of alleen de onze).

    Voorbeeld: steunpunt org list --mine
help-org-list--mine = { help-vacancy-list--mine }
help-org-list--wide = Meer kolommen: soort en expertise, en wanneer het laatst bijgewerkt
help-org-template = { help-vacancy-template }
help-org-template--long = Toont een volledig voorbeeld met uitleg bij elk veld, om te kopiëren, aan te passen en te publiceren; de regels met // mogen blijven staan.

    Voorbeeld: steunpunt org template > partner.json
help-org-show = Toont één organisatie volledig: wat ze doet, voor wie, contact, en wie haar publiceerde.
help-org-show--long = Toont één organisatie volledig: wat ze doet, voor wie, contact, en wie haar publiceerde.

    Voorbeeld: steunpunt org show schuldhulpmaatje-breda
help-org-show--id = { help-vacancy-show--id }
help-org-show--steunpunt = { help-vacancy-show--steunpunt }
help-org-search = Zoekt partnerorganisaties in de hele regio.
help-org-search--long = Zoekt partnerorganisaties in de hele regio.

    Voorbeeld: steunpunt org search --expertise schuldhulp --near Tilburg
help-search = Zoekt vacatures in de hele vertrouwde regio, in het Nederlands.
help-search--long = Zoekt vacatures in de hele vertrouwde regio, in het Nederlands: `voorlezen` vindt ook `voorleesvrijwilliger`; meer gevonden woorden en woorden in de titel komen hoger.

    Voorbeeld: steunpunt search voorlezen --mas --age 14 --near 4811 --radius-km 20
help-search--words = Woorden om te zoeken
help-search--municipality = Gemeente
help-search--near = Een postcode (vier cijfers) of plaats om de afstand vanaf te meten
help-search--radius_km = Straal rond --near in km (standaard 15)
help-search--category = Categorie (vacatures)
help-search--target_group = Doelgroep
help-search--engagement = Inzet (vacatures): eenmalig, kortlopend, structureel, groepsklus
help-search--mas = Alleen plaatsen die geschikt zijn voor een maatschappelijke stage
help-search--age = Met --mas: de leeftijd van de leerling
help-search--remote = Alleen werk op afstand
help-search--expertise = Expertise (organisaties)
help-search--kind = Soort organisatie (organisaties)
help-search--on = Alleen vacatures die op deze datum lopen, bijvoorbeeld 2027-06-12
help-search--steunpunt = Alleen gegevens van dit steunpunt: zijn naam ("Tilburg" is genoeg als maar één naam past) of ID (sp_…)
help-search--sort = Volgorde: relevance (relevantie), distance (afstand, met --near) of recent
help-search--limit = Hoogstens zoveel resultaten
help-search--wide = Meer kolommen: organisatie en inzet (bij organisaties: soort en expertise) en de relevantiescore
help-org-search--words = { help-search--words }
help-org-search--municipality = { help-search--municipality }
help-org-search--near = { help-search--near }
help-org-search--radius_km = { help-search--radius_km }
help-org-search--category = { help-search--category }
help-org-search--target_group = { help-search--target_group }
help-org-search--engagement = { help-search--engagement }
help-org-search--mas = { help-search--mas }
help-org-search--age = { help-search--age }
help-org-search--remote = { help-search--remote }
help-org-search--expertise = { help-search--expertise }
help-org-search--kind = { help-search--kind }
help-org-search--on = { help-search--on }
help-org-search--steunpunt = { help-search--steunpunt }
help-org-search--sort = { help-search--sort }
help-org-search--limit = { help-search--limit }
help-org-search--wide = { help-search--wide }
help-import = Publiceert vacatures en organisaties uit een CSV- of JSON-bestand, rij voor rij.
help-import--long = Publiceert vacatures en organisaties uit een CSV- of JSON-bestand, rij voor rij.

    CSV: een kopregel met de kolommen uit de README (gescheiden door ; of ,, UTF-8). JSON: een object of een lijst, zoals `export` schrijft. Hetzelfde bestand nog eens importeren verandert niets.

    Voorbeeld: steunpunt import vacatures.csv --dry-run
help-import--file = Het bestand (.csv of .json), of `-` voor standaardinvoer
help-import--dry_run = Controleer elke rij, publiceer niets
help-export = Schrijft alle gegevens die de node heeft (of alleen de onze) in een vorm die andere programma's lezen.
help-export--long = Schrijft alle gegevens die de node heeft (of alleen de onze) in een vorm die andere programma's lezen.

    Voorbeelden:
      steunpunt export --mine > reservekopie.json
      steunpunt export --format jsonld > vacatures.jsonld
help-export--format = Formaat: json (opnieuw te importeren), csv (de importkolommen), jsonld (schema.org) of hsds (Open Referral)
help-export--mine = Alleen onze eigen gegevens
help-completions = Toont aanvulling voor de shell.
help-completions--long = Toont aanvulling voor de shell.

    Voorbeeld: steunpunt completions bash > /etc/bash_completion.d/steunpunt
help-completions--shell = De shell
help-vacancy-expiring = Toont onze eigen vacatures die binnen een aantal dagen verlopen; publiceer er een opnieuw met een latere valid_until om haar te houden.
help-vacancy-expiring--long = Toont onze eigen vacatures die binnen een aantal dagen verlopen; publiceer er een opnieuw met een latere valid_until om haar te houden.

    Voorbeeld: steunpunt vacancy expiring --days 30
help-vacancy-expiring--days = Binnen zoveel dagen
help-org-expiring = Toont onze eigen organisaties die binnen een aantal dagen verlopen (de node verlengt ze zelf binnen 30 dagen voor het einde).
help-org-expiring--days = { help-vacancy-expiring--days }
help-region = De federatie zoals deze node haar ziet: elk vertrouwd steunpunt met gemeenten, afstand, wie ervoor instaat en hoeveel gegevens het heeft.
help-region--long = De federatie zoals deze node haar ziet: elk vertrouwd steunpunt met gemeenten, afstand, wie ervoor instaat en hoeveel gegevens het heeft.

    Voorbeeld: steunpunt region (een plaatje: steunpunt region --format dot | dot -Tpng > regio.png)
help-region--format = table (standaard) of dot (Graphviz: wie voor wie instaat)
