#pragma once

#include <QStringList>

namespace Aq::Cli
{
    // `aqueduct publish --count N --rate R --duration D --every I --template FILE ...`: publishes test events
    // (the seeds' events, or a template's) to the profile's topic, paced and in rounds, with a progress line
    // on a terminal and a summary at the end. `arguments` starts with the program name.
    int runPublish(const QStringList &arguments);
}
