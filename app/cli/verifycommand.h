#pragma once

#include <QStringList>

namespace Aq::Cli
{
    // `aqueduct verify --ids FILE [--format text|json] [--max-listed N] [--wait D]`: reconciles what a publish
    // run sent (its --ids-out file) with what the table and the error table hold, and says where each missing
    // event is (Reconciler). Exit codes: 0 every event stored exactly once (the error table counts as stored,
    // and is shown); 1 something missing or duplicated, or a service failed; 2 usage or a bad ids file;
    // 3 the data folder's owner cannot be reached. `arguments` starts with the program name.
    int runVerify(const QStringList &arguments);
}
