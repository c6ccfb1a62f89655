#pragma once

#include <QStringList>

namespace Aq::Cli
{
    // `aqueduct query "SQL" --format table|json|csv --param name:TYPE:value ...`: runs a query against the
    // profile's BigQuery (the local cloud, an emulator or Google Cloud) and writes the result to stdout page
    // by page, so a large result never sits in memory whole. `arguments` starts with the program name.
    int runQuery(const QStringList &arguments);
}
