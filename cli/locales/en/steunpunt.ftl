# What `steunpunt` says, in English. Every id is also in ../nl/steunpunt.ftl.

nothing-found = (nothing found)
yes = yes
no = no

## steunpunt status
status-steunpunt-id = steunpunt ID
status-peer-id = PeerId
status-listening = listening on
status-connected = connected
status-connected-value = { $count ->
    [one] 1 node
   *[other] { $count } nodes
}
status-trusted = trusted
status-trusted-value = { $count ->
    [one] 1 steunpunt (ourselves)
   *[other] { $count } steunpunten (ourselves included)
}
status-expiring = expiring soon
status-expiring-value = { $count ->
    [0] no own vacancies within { $days } days
    [one] 1 own vacancy within { $days } days (vacancy expiring)
   *[other] { $count } own vacancies within { $days } days (vacancy expiring)
}
expiring-none = Nothing of ours expires within { $days } days.
expiring-hint = Publish a vacancy again with a later valid_until to keep it.
status-records = records
status-records-value = { $vacancies ->
    [one] 1 vacancy
   *[other] { $vacancies } vacancies
}, { $organisations ->
    [one] 1 organisation
   *[other] { $organisations } organisations
}, { $profiles ->
    [one] 1 steunpunt
   *[other] { $profiles } steunpunten
}

## steunpunt peer …
peer-added = { $name } was added as a neighbour; our node connects to it.
    Records are exchanged once that steunpunt has added us too.
peer-replaced = The address stored before ({ $old }) was replaced.
peer-removed = { $steunpunt } is no longer a neighbour: we no longer vouch for it or connect to it.
peer-blocked = { $steunpunt } is blocked: never trusted, even when others vouch for it.
col-steunpunt-id = steunpunt ID
col-connected = connected
no-peers = No neighbours yet. Add one with `steunpunt peer add ADDRESS --steunpunt ID`.
peer-not-connected = no; has that steunpunt added us yet, and is its node running?
col-address = address

## lists and search
col-id = id
col-title = title
col-municipality = municipality
col-valid-until = valid until
col-steunpunt = steunpunt
col-distance = distance
shown-of = { $shown } of { $total } shown; `steunpunt export` gives them all.
col-score = score
withdrawn = Withdrawn: { $id }. It disappears at every steunpunt.

## steunpunt vacancy show / org show
show-organisation = Organisation
show-where = Where
show-remote = remote possible
show-what = What
show-categories = Categories
show-target-groups = Target groups
show-engagement = Engagement
show-hours = Hours per week
show-time-of-day = When
show-period = Period
show-from = from { $date }
show-until = until { $date }
show-mas = MaS
show-mas-suitable = suitable for a community-service placement (maatschappelijke stage)
show-mas-from-age = suitable for a community-service placement (maatschappelijke stage) from age { $age }
show-requirements = Requirements
show-rewards = Rewards
show-volunteers-needed = Wanted
show-volunteers-count = { $count ->
    [one] 1 volunteer
   *[other] { $count } volunteers
}
show-contact = Contact
show-apply = Apply
show-kind = Kind
show-expertise = Expertise
show-relation = Relation
show-services = Services
show-vetted-on = Vetted on
show-kvk = KvK number
show-website = Website
show-published-by = Published by
show-steunpunt-id = Steunpunt ID
show-neighbour = our neighbour
show-own = ourselves
show-trusted-via = trusted via { $voucher } ({ $hops ->
    [one] 1 hop
   *[other] { $hops } hops
})
show-updated = Updated
show-revision = { $date }, revision { $revision }
show-valid-until = Valid until
show-id = ID
show-withdrawn = This vacancy or organisation was withdrawn.
show-not-found = No { $kind } with id `{ $id }`; `steunpunt { $command } list` shows the ids.
show-ambiguous = Several steunpunten have a { $kind } with id `{ $id }`: { $steunpunten }. Choose one with --steunpunt.
kind-vacancy = vacancy
kind-organisation = organisation

## errors talking to the node
error-not-running = The node is not running (no { $file }). Start it with `steunpuntd --data-dir { $dir }`.
error-unreachable = The node at { $addr } does not answer. Is steunpuntd running? Start it with `steunpuntd --data-dir { $dir }`.
error-unauthorized = The node refused the API token. Does --data-dir point at this node's data directory ({ $dir })?
error-unexpected = The node's answer to { $path } is not what this version expects ({ $reason }). Are steunpunt and steunpuntd the same version?
error-other = Talking to the node failed: { $reason }

## dates
date = { $day } { $month } { $year }
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

## steunpunt import, vacancy publish, org publish
import-stdin-unreadable = Standard input is not readable UTF-8 text.
import-stdin-name = standard input
import-unreadable = Cannot read { $file }
import-not-utf8 = { $file } is not UTF-8 text; save it as UTF-8 (in Excel: CSV UTF-8).
import-bad-json = { $name } is not valid JSON: line { $line }, column { $column }: { $reason }
import-json-shape = { $name } must hold a JSON object or an array of objects.
import-item = item { $n }
import-not-object = is not a JSON object
import-foreign = was published by another steunpunt ({ $author }); only your own records can be imported
import-withdrawal = is a withdrawal; there is nothing to publish
import-bad-kind = record: `{ $text }` is not a record kind; write vacancy or organisation
import-unknown-kind = cannot tell whether this is a vacancy or an organisation: give a title (vacancy) or a name (organisation), or a record field
import-no-header = Cannot read the header row of { $name }
import-unknown-columns = { $name }: unknown column(s) { $unknown }; the columns are: { $known }
import-repeated-column = { $name }: the column { $column } appears twice in the header row.
import-no-title-column = { $name }: the header row has no title (vacancies) or name (organisations) column.
import-cell-count = has { $cells } cells, the header row has { $header }; check for a missing or extra separator
import-line = line { $line }
import-unreadable-row = cannot be read: { $reason }
import-same-id = has the same id ({ $id }) as { $first }; give each { $kind } its own id column value
import-progress-rows = rows
import-progress-left = about
import-wrong-kind = is a { $kind }, not a { $wanted }; use `steunpunt import` for mixed files
import-stopped = The import stopped at { $row }; the rows before it were handled.
import-rejected-row = { $row }: rejected: { $reason }
import-summary = { $rows ->
    [one] 1 row
   *[other] { $rows } rows
}: { $new } new, { $updated } updated, { $unchanged } unchanged, { $rejected } rejected
import-dry-run-note = (dry run: nothing was published)
import-one-failed = { $row } was not published: { $reason }
import-some-failed = { $rejected } of { $rows } rows were rejected (see above); fix them and import the file again: rows already published stay as they are.
column-not-yes-no = column { $column }: `{ $text }` is not yes or no; write ja or nee (or yes/no)
column-not-number = column { $column }: `{ $text }` is not a number; write e.g. 4 or 2.5
column-not-whole = column { $column }: `{ $text }` is not a whole number; write e.g. 14
column-bad-kind = column record: `{ $text }` is not a record kind; write vacancy or organisation
column-unknown-kind = cannot tell whether this row is a vacancy or an organisation: fill in title (vacancy) or name (organisation), or the record column
column-not-applicable = column { $column } does not apply to a { $kind }; leave it empty in this row
