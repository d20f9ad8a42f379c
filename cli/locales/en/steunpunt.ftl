# What `steunpunt` says, in English. Every id is also in ../nl/steunpunt.ftl.

nothing-found = (nothing found)
yes = yes
no = no

## steunpunt status
status-name = steunpunt
status-neighbours = neighbours
status-no-neighbours = none yet; see below what to send a neighbour
status-peering-line = Send a neighbouring steunpunt this line; their admin types it in:
neighbour-connected = connected
neighbour-not-connected = not connected
neighbour-connected-for = connected for { $duration }
neighbour-not-connected-for = not connected for { $duration }
duration-seconds = { $n ->
    [one] 1 second
   *[other] { $n } seconds
}
duration-minutes = { $n ->
    [one] 1 minute
   *[other] { $n } minutes
}
duration-hours = { $n ->
    [one] 1 hour
   *[other] { $n } hours
}
duration-days = { $n ->
    [one] 1 day
   *[other] { $n } days
}
neighbour-refused = refused for { $duration } more
warning-refused = { $name } is refused for { $duration } more: their node sent { $what }. Ask their admin what is wrong; if it keeps happening, block the steunpunt with `steunpunt peer block`.
refused-invalid_records = records whose signature does not verify
refused-unreadable_sync = sync messages that cannot be read or are too large
refused-too_many_sessions = more sync sessions than a sync needs
neighbour-peered-back = has added us too
neighbour-not-peered-back = has not added us yet
neighbour-unknown = whether it has added us is not known yet
warning-recovering = After the restore the node first gets our own records back from the neighbours; until then nothing can be published. That usually takes less than a minute once a neighbour is reachable.
warning-disk-full = The disk holding the data directory is full: publishing fails and records from the neighbours wait. Searching goes on. Make room; the node picks up again by itself.
warning-writes-failing = Storing records fails: { $reason }. Searching goes on.
warning-disk-low = The disk holding the data directory is nearly full: { $free } GB free of { $total } GB. Make room before publishing fails.
warning-not-peered-back = { $name } has not added us as a neighbour yet; send them the line below.
warning-not-connected = { $name } is not connected; is their node running, and is the address right?
col-state = state
peer-now-exchanging = Connected, and that steunpunt has added us too: records are exchanged now.
peer-connected-not-back = Connected, but that steunpunt has not added us yet; records are exchanged once it does. Send them the line from `steunpunt status`.
peer-back-not-connected = That steunpunt has added us too, but their node does not answer now; is it running, and is the address right? We keep trying.
peer-waiting-for-them = Not connected yet: their node lets us in only once that steunpunt has added us too. Send them the line from `steunpunt status`. If they already did, check that their node runs and the address is right; we keep trying.
region-ourselves = ourselves
region-hops = { $hops ->
    [one] 1 hop
   *[other] { $hops } hops
}
col-municipalities = municipalities
col-distance-hops = distance
col-vouched-by = via
col-vacancies = vacancies
col-organisations = organisations
col-last-change = last change
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
status-trusted-via = { $name }: { $hops }, via { $via }
status-trusted-more = and { $count } more; `steunpunt region` shows them all
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
col-organisation = organisation
col-engagement = engagement
col-kind = kind
col-expertise = expertise
col-updated = updated
col-distance = distance
steunpunt-unknown-name = No steunpunt is called `{ $name }`. Known are: { $known }. Or give the steunpunt ID (sp_…).
steunpunt-ambiguous-name = Several steunpunten fit `{ $name }`: { $found }. Give the full name or the steunpunt ID.
export-others-data = note: this export also holds records of other steunpunten ({ $count ->
        [one] 1 vacancy or organisation
       *[other] { $count } vacancies and organisations
    }), with names and contact details of people. Share it no further than needed and delete it once you no longer use it; each steunpunt remains responsible for its own records.
export-json-and-format = --json and --format do not go together: export writes JSON unless --format asks for another format. Leave one out.
search-shown-of = { $shown } of { $total } shown (more with --limit, up to 200).
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
error-no-data-dir = No data directory known; pass --data-dir or set STEUNPUNT_DATA_DIR.
init-cannot-run = Cannot run { $daemon }; is steunpuntd installed (next to steunpunt)?
init-failed = init did not complete (see the message above).
error-not-running = The node is not running (no { $file }). Start it with `steunpuntd --data-dir { $dir }`.
error-unreachable = The node at { $addr } does not answer. Is steunpuntd running? Start it with `steunpuntd --data-dir { $dir }`.
error-unauthorized = The node refused the API token. Does --data-dir point at this node's data directory ({ $dir })?
error-unexpected = The node's answer to { $path } is not what this version expects ({ $reason }). Are steunpunt and steunpuntd the same version?
error-other = Talking to the node failed: { $reason }
error-busy = The node is busy: too many connections to its API at once. Try again shortly.

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
import-same-subject = describes the same { $kind } as { $first } (same title, organisation and place); merge the rows, or give each { $kind } its own id column value
import-updated = updated: { $id } (changed: { $fields })
import-would-update = would update { $id } (changed: { $fields })
import-numbered = new as { $id }: another { $kind } of ours has the same title, with another organisation or place
import-would-number = would be new as { $id }: another { $kind } of ours has the same title, with another organisation or place
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

## what the node says about a vacancy, organisation or search (codes: protocol/src/validate.rs, RULES)
problem-empty = is empty; fill it in
problem-too_long = is { $chars } characters long; at most { $max } are allowed
problem-control_characters = contains control characters; use plain text
problem-invisible_characters = contains an invisible or direction-changing character ({ $codepoint }); remove it, as it can make the text look different from what it says
problem-unknown_term = `{ $value }` is not a known { $vocabulary }; choose one of: { $allowed }
problem-invalid_code = `{ $value }` is not a valid { $vocabulary } code
problem-too_few = needs at least { $min } { $vocabulary }; choose from: { $allowed }
problem-repeated = `{ $value }` is listed twice
problem-too_many_items = has { $len } items; at most { $max } are allowed
problem-unknown_postcode = postcode { $value } does not exist in the Netherlands; check the four digits
problem-email = `{ $value }` is not an e-mail address like info@example.nl
problem-phone = `{ $value }` is not a phone number like 076-5221234 or +31 76 522 1234
problem-url = `{ $value }` is not a web address like https://www.example.nl
problem-municipality_needed = name at least one municipality that the steunpunt serves
problem-postcode = `{ $value }` is not a Dutch postcode like 4811 AB
problem-peer_id = `{ $value }` is not a node PeerId (they start with 12D3KooW)
problem-lists_itself = a steunpunt cannot list itself
problem-vouched_and_blocked = { $value } is both vouched for and blocked; choose one
problem-kvk = `{ $value }` is not a KvK number; it has exactly 8 digits
problem-organisation_needed = give the organisation's name (or the id of its record)
problem-age = { $value } is not a sensible age; use { $min } to 99
problem-age_without_mas = is only meaningful when mas.suitable is true
problem-hours = { $value } is not allowed; give a number from { $min } to { $max }
problem-end_before_start = { $end } is before the start date { $start }
problem-volunteers_needed = must be at least 1, or left out
problem-contact_needed = give an e-mail address, phone number, contact url or apply_url so volunteers can respond
problem-latitude = { $value } is not a latitude; use degrees from -90 to 90
problem-longitude = { $value } is not a longitude; use degrees from -180 to 180
problem-lat_lon_pair = give both lat and lon, or neither
problem-managed_id = a { $kind } record always has the id `{ $kind }`
problem-revision = starts at 1
problem-not_valid = { $valid_until } is not after updated_at { $updated_at }; a record must be valid for some time
problem-valid_too_long = { $valid_until } is more than 400 days after updated_at { $updated_at }; renew the record later instead
problem-body_kind = a { $kind } record has a { $body } body
problem-other_kind = these are the fields of a { $kind }; publish them with `steunpunt { $command } publish`
problem-version = must be { $version }
problem-shape = has the wrong form; write it like { $example }
problem-shape_or = has the wrong form; write it like { $example }, or in short { $short }
problem-unknown_field = is not a field of a { $kind }; check the spelling (`steunpunt { $command } template` shows every field)
problem-record_id = `{ $value }` cannot be an id: use lowercase letters, digits and dashes, like voorlezen-op-school
problem-id_needed = give an id, or a title from which one can be made
problem-no_free_id = every id made from `{ $id }` is taken; give the { $kind } an id of its own
problem-date = `{ $value }` is not a date; write it like 2027-03-01 or 1-3-2027
problem-end_passed = { $end } has passed; a vacancy that has ended cannot be published
problem-unknown_municipality = `{ $value }` is not in the postcode table; check the spelling, or searches by place will not find it
problem-postcode_elsewhere = postcode { $pc4 } is in { $place }, { $km } km from { $municipality }; check the postcode or the municipality
problem-start_far = { $start } is more than a year ahead; is the year right?
problem-phone_in_text = seems to hold a phone number ({ $found }); put contact details in { $use } instead, where they are known as personal data and kept in one place
problem-email_in_text = seems to hold a personal e-mail address ({ $found }); put contact details in { $use } instead, where they are known as personal data and kept in one place
problem-vacancies_only = applies to vacancies only (`steunpunt search`)
problem-organisations_only = applies to organisations only (`steunpunt org search`)
problem-unknown_place = `{ $value }` is neither a four-digit postcode nor a Dutch place name
problem-limit = must be 1 to { $max }
problem-age_needs_mas = only applies together with --mas
problem-steunpunt_id = `{ $value }` is neither a steunpunt ID (sp_ and 56 letters and digits) nor the name of a trusted steunpunt
problem-needs_near = works only with --near (a postcode or a place)
problem-radius = must be above 0 and at most { $max }
problem-query_too_long = at most { $max } bytes of words
problem-lowers_valid_until = { $requested } is earlier than the current { $current }; a record's validity can only be extended (withdraw it to take it down)
problem-too_large = the record would be larger than 64 KiB; shorten the description or the lists
problem-no_such_record = we have no { $kind } with id `{ $id }`; `steunpunt { $command } list --mine` shows ours
problem-managed_record = the { $kind } record is managed by the node: the profile through config.toml, the neighbours through `steunpunt peer`
problem-recovering = this node is getting its own records back from its neighbours after a restore; try again in a minute
problem-disk_full = the disk holding the node's data is full, so nothing was stored; make room and try again (no restart needed)
problem-search_behind = the search index could not be updated; the newest changes may be missing from these results until there is room on the disk again
problem-own_steunpunt = that is our own steunpunt's ID
problem-multiaddr = `{ $value }` is not a node address like /ip4/192.0.2.10/tcp/4001/p2p/12D3KooW…
problem-missing_peer_id = the address must end in /p2p/ and the node's PeerId (the neighbour's `steunpunt status` shows it)
vocabulary-category = category
vocabulary-target-group = target group
vocabulary-engagement = engagement
vocabulary-time-of-day = time of day
vocabulary-expertise = expertise
vocabulary-organisation-kind = organisation kind
vocabulary-relation = relation
kind-word-vacancy = vacancy
kind-word-organisation = org
field-column = column { $column }
field-words = search words
problems-heading = { $count ->
    [one] 1 problem:
   *[other] { $count } problems:
}
warning = note
repeated-in-rows = { $count } rows ({ $rows }): { $problem }

## mistakes on the command line
usage-unknown-command = `{ $command }` is not a command.
usage-unknown-option = `{ $option }` is not an option of this command.
usage-bad-value = `{ $value }` does not fit { $option }.
usage-bad-choice = `{ $value }` does not fit { $option }; choose from: { $valid }.
usage-missing = Still missing: { $missing }.
usage-conflict = { $option } cannot be used with { $other }.
usage-did-you-mean = Did you mean `{ $suggested }`?
usage-heading = Usage
usage-more = More: add --help.
