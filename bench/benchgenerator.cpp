// EventGenerator: events rendered per second, for the seeds' events and for a template with every placeholder
// (what `aqueduct publish` can feed a publisher at most, before any network).
//
//   benchgenerator [--events 2000000]
//
// Prints one JSON line per kind: events, seconds, events/s, average bytes.
#include <cstdio>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>

#include "core/pipeline/eventgenerator.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq::Pipeline;

namespace
{
    const QByteArray Template =
        "{\"event_id\":\"{{uuid}}\",\"timestamp\":\"{{now}}\",\"event_type\":\"{{choice:page_view,click,login,form_submit,purchase}}\","
        "\"user_id\":\"user_{{int:1:1000}}\",\"event_data\":{\"page\":\"/products/{{int:1:100}}\",\"browser\":\"{{choice:Chrome,Firefox,Safari}}\","
        "\"country\":\"{{choice:US,GB,DE,FR,IN}}\",\"device\":\"{{choice:desktop,mobile,tablet}}\",\"amount\":\"{{float:5:500:2}}\","
        "\"items\":\"{{int:1:10}}\",\"n\":\"{{seq}}\"}}";

    void run(const char *name, EventGenerator generator, qint64 events)
    {
        GeneratedEvent event;
        qint64 bytes = 0;
        QElapsedTimer timer;
        timer.start();
        for (qint64 i = 0; i < events; ++i) {
            generator.next(event);
            bytes += event.data.size();
        }
        const double seconds = double(timer.nsecsElapsed()) / 1e9;
        printf("{\"generator\":\"%s\",\"events\":%lld,\"seconds\":%.3f,\"eventsPerSecond\":%.0f,\"averageBytes\":%lld}\n", name,
               static_cast<long long>(events), seconds, double(events) / seconds, static_cast<long long>(bytes / events));
    }
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption events(u"events"_s, u"Events to render per kind."_s, u"n"_s, u"2000000"_s);
    parser.addOption(events);
    parser.process(app);
    const qint64 count = parser.value(events).toLongLong();

    run("seeds", EventGenerator(1), count);
    Aq::Result<EventTemplate> compiled = EventTemplate::parse(Template, u"bench template"_s, {u"event_id"_s});
    if (!compiled) {
        fprintf(stderr, "benchgenerator: %s\n", qPrintable(compiled.error().message));
        return 1;
    }
    run("template", EventGenerator(std::move(*compiled), 1), count);
    return 0;
}
