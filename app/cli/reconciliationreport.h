#pragma once

#include <QByteArray>

#include "core/reconcile/reconciliation.h"

namespace Aq::Cli
{
    // `aqueduct verify`'s report: for people (a summary of the counts, the listed IDs, the verdict) or, with
    // --format json, one JSON object with the same counts and lists:
    //   {"ok": false, "idsFile": .., "table": .., "errorTable": .., "errorTableExists": true, "keyColumn": "event_id",
    //    "counts": {"lines", "linesWithoutEventId", "publishedMoreThanOnce", "sent", "stored", "storedOnce",
    //               "duplicated", "extraRows", "inErrorTable", "missing", "lostAtLeast"},
    //    "whereabouts": {"missing": "pending|lost|unknown"|null, "reason": ".."|null, "backlog": n|null,
    //                    "subscription": {"name", "exists", "backlog": n|null}, "deadLetterSubscription": {..}},
    //    "missing": [{"eventId", "messageId", "line", "where"}],
    //    "inErrorTable": [{"eventId", "messageId", "line", "errorMessage", "matchedBy": "messageId|eventId"}],
    //    "duplicated": [{"eventId", "line", "rows"}],
    //    "maxListed": 100, "warnings": [..]}
    QByteArray reconciliationText(const Reconcile::Reconciliation &report);
    QByteArray reconciliationJson(const Reconcile::Reconciliation &report);
}
