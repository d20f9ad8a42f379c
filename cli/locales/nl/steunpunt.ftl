# Wat `steunpunt` zegt, in het Nederlands. Elke id staat ook in ../en/steunpunt.ftl.

nothing-found = (niets gevonden)
yes = ja
no = nee

## steunpunt status
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
    Gegevens worden uitgewisseld zodra dat steunpunt ons ook heeft toegevoegd.
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
col-distance = afstand
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
show-not-found = Geen { $kind } met id `{ $id }` gevonden. `steunpunt { $command } list` toont de ids.
show-ambiguous = Meerdere steunpunten hebben een { $kind } met id `{ $id }`: { $steunpunten }. Kies er een met --steunpunt.
kind-vacancy = vacature
kind-organisation = organisatie

## fouten bij het praten met de node
error-not-running = De node draait niet (er is geen { $file }). Start hem met `steunpuntd --data-dir { $dir }`.
error-unreachable = De node op { $addr } antwoordt niet. Draait steunpuntd? Start hem met `steunpuntd --data-dir { $dir }`.
error-unauthorized = De node weigert het API-token. Wijst --data-dir naar de datamap van deze node ({ $dir })?
error-unexpected = Het antwoord van de node op { $path } is niet wat deze versie verwacht ({ $reason }). Zijn steunpunt en steunpuntd dezelfde versie?
error-other = Praten met de node lukte niet: { $reason }

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
