#include "app/cli/verifycommand.h"

#include <cstdio>

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>

#include "app/cli/commandsupport.h"
#include "app/cli/progressline.h"
#include "app/cli/reconciliationreport.h"
#include "core/common/timeutil.h"
#include "core/localcloud/localbackend.h"
#include "core/pipeline/ingestsettings.h"
#include "core/reconcile/publishedrun.h"
#include "core/reconcile/reconciler.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Cli
{
    using Reconcile::PublishedRun;
    using Reconcile::Reconciler;
    using Reconcile::ReconcilerSettings;
    using Reconcile::Reconciliation;

    namespace
    {
        const QString Command = u"verify"_s;
        // How often --wait looks again.
        constexpr int RecheckMs = 2000;

        struct VerifyOptions
        {
            Config::Profile profile;
            QString idsFile;
            bool json = false;
            int maxListed = 100;
            int chunkSize = 1000;
            qint64 waitMicros = 0;
        };

        Result<int> parseCount(const QString &flag, const QString &text, int min, int max)
        {
            bool ok = false;
            const int value = text.toInt(&ok);
            if (!ok || value < min || value > max)
                return ApiError::invalidArgument(u"--%1 %2: give a whole number from %3 to %4"_s.arg(flag, text).arg(min).arg(max));
            return value;
        }

        Result<VerifyOptions> parseOptions(const QStringList &arguments, QString *helpText)
        {
            QCommandLineParser parser;
            parser.setApplicationDescription(
                u"Reconcile a publish run with BigQuery: what `aqueduct publish --ids-out FILE` sent against what the table "
                "(--table, looked up by --key-column, default event_id) and the error table (--error-table) hold.\n\n"
                "It reports the counts (sent, stored, in the error table, missing, duplicated), the missing and duplicated "
                "event IDs (duplicated ones with their number of rows), and the events in the error table with the reason. "
                "An event published more than once (the same event ID on several lines) counts once: the pipeline's insertId "
                "(the key's value) keeps one row. Lists hold at most --max-listed IDs each; the counts are always complete.\n\n"
                "How it looks: the ids file is read as a stream; distinct event IDs are looked up in the table --chunk-size at "
                "a time (WHERE key IN (@id0, @id1, ...), named STRING parameters), a few queries at once. An event not in the "
                "table is looked for in the error table, read once (stacktrace, errorMessage and payloadString's key): a row "
                "is the event's when its stacktrace ends \"(message ID)\" with the ID of a message that carried it, or else "
                "when payloadString is JSON whose event_id (or id) is the event's ID, which finds dead-lettered messages "
                "(the dead-letter topic gives them a new message ID) and events whose ID was republished. Events in the "
                "error table are accounted for: they do not fail the run, and the report lists them.\n\n"
                "Where a missing event is: Pub/Sub cannot show whether one message is still in a subscription without "
                "taking it, so verify reads the backlog (unacknowledged messages) of the subscription (--subscription) and "
                "of its dead-letter subscription (the dead-letter topic's, <topic>-ingest) before it reads the tables. "
                "The local cloud and an Aqueduct server tell the backlog: when both are zero, every message had been "
                "acknowledged, so a missing event is \"lost\"; when not, it is \"pending\" (not yet stored: the "
                "subscription's backlog is N; it may still arrive, and with M missing at least M - N are lost). Google "
                "Cloud and Google's emulator do not tell it through the Pub/Sub API (Cloud Monitoring's "
                "pubsub.googleapis.com/subscription/num_undelivered_messages does): there a missing event is \"unknown: "
                "still in flight or lost\". A subscription that does not exist keeps nothing: \"lost\". --wait D looks "
                "again every 2 s while events are missing and may still arrive, until D has passed.\n\n"
                "Lines without an event ID (a template without a key field) are counted and cannot be checked.\n\n"
                "Exit codes: 0 every event was stored exactly once (in the table, or in the error table); 1 some are missing "
                "or duplicated, or a service failed (the table does not exist, a query failed); 2 bad flags, a bad ids file "
                "(the message names the file and the line) or a key column that is not in the table; 3 the data folder is "
                "owned by a process that cannot be reached."_s);
            parser.addHelpOption();
            parser.addPositionalArgument(u"verify"_s, u"The subcommand."_s, u"verify"_s);
            const QCommandLineOption ids(u"ids"_s, u"The publish run's --ids-out file: MESSAGE_ID<TAB>EVENT_ID per line."_s, u"file"_s);
            const QCommandLineOption format(u"format"_s, u"Output: text (default) or json."_s, u"text|json"_s, u"text"_s);
            const QCommandLineOption maxListed(u"max-listed"_s, u"IDs listed per list (missing, in the error table, duplicated); default 100."_s,
                                               u"n"_s, u"100"_s);
            const QCommandLineOption chunkSize(u"chunk-size"_s, u"Event IDs per lookup query (1 to 10000; default 1000)."_s, u"n"_s, u"1000"_s);
            const QCommandLineOption wait(u"wait"_s, u"While events are missing and may still arrive, look again every 2 s for up to this long (30s, 5m)."_s,
                                          u"duration"_s);
            parser.addOptions({ids, format, maxListed, chunkSize, wait});
            Result<QStringList> parsed = parseCommandLine(parser, Command, arguments, helpText);
            if (!parsed)
                return parsed.error();
            if (!parsed->isEmpty())
                return ApiError::invalidArgument(u"unexpected argument \"%1\"; give the ids file with --ids FILE"_s.arg(parsed->first()));

            VerifyOptions options;
            options.idsFile = parser.value(ids);
            if (options.idsFile.isEmpty())
                return ApiError::invalidArgument(u"give the ids file of a publish run: --ids FILE (what aqueduct publish --ids-out wrote)"_s);
            const QString formatName = parser.value(format).toLower();
            if (formatName != u"text"_s && formatName != u"json"_s)
                return ApiError::invalidArgument(u"--format %1: use text or json"_s.arg(parser.value(format)));
            options.json = formatName == u"json"_s;
            Result<int> listed = parseCount(u"max-listed"_s, parser.value(maxListed), 0, 10'000'000);
            if (!listed)
                return listed.error();
            options.maxListed = *listed;
            Result<int> chunk = parseCount(u"chunk-size"_s, parser.value(chunkSize), 1, 10'000);
            if (!chunk)
                return chunk.error();
            options.chunkSize = *chunk;
            if (parser.isSet(wait)) {
                const std::optional<qint64> micros = Time::parseHumanDuration(parser.value(wait));
                if (!micros || *micros <= 0)
                    return ApiError::invalidArgument(u"--wait %1: give a duration such as 30s, 5m or 1h"_s.arg(parser.value(wait)));
                options.waitMicros = *micros;
            }

            Config::ProfileInputs inputs {Config::profileOptionValues(parser), Config::ProfileInputs::processEnvironment()};
            Result<Config::Profile> profile = Config::resolveProfile(inputs);
            if (!profile)
                return profile.error();
            options.profile = std::move(*profile);
            return options;
        }

        void sleepMs(int ms)
        {
            QEventLoop loop;
            QTimer::singleShot(ms, Qt::PreciseTimer, &loop, &QEventLoop::quit);
            loop.exec();
        }
    }

    int runVerify(const QStringList &arguments)
    {
        QString helpText;
        Result<VerifyOptions> options = parseOptions(arguments, &helpText);
        if (!options)
            return reportParseFailure(Command, options.error(), helpText);
        printWarnings(Command, options->profile.warnings);
        const Config::Profile &profile = options->profile;

        // The whole file is checked before anything is asked of the services.
        Result<PublishedRun> run = PublishedRun::read(options->idsFile);
        if (!run) {
            printError(Command, run.error().message);
            return ExitUsage;
        }
        if (run->eventCount() == 0) {
            printError(Command, run->lines() == 0 ? u"%1 has no lines: nothing to verify"_s.arg(options->idsFile)
                                                  : u"%1: no line has an event ID, so nothing can be checked (publish with a template that has a top-level %2 field)"_s
                                                        .arg(options->idsFile, profile.keyColumn));
            return ExitUsage;
        }

        LocalCloud::LocalBackend local;
        Result<std::unique_ptr<Config::Connection>> connection = openConnection(profile, &local);
        if (!connection)
            return reportConnectionFailure(Command, connection.error());

        Pipeline::IngestSettings names;   // the dead-letter subscription is named as the pipeline names it
        names.deadLetterTopic = profile.deadLetterTopic;
        ReconcilerSettings settings;
        settings.dataset = profile.dataset;
        settings.table = profile.table;
        settings.errorTable = profile.errorTable;
        settings.keyColumn = profile.keyColumn;
        settings.subscription = profile.subscription;
        settings.deadLetterSubscription = names.deadLetterSubscription();
        settings.chunkSize = options->chunkSize;
        settings.maxListed = options->maxListed;
        const qint64 events = run->eventCount();
        Reconciler reconciler((*connection)->bigquery(), (*connection)->pubsub(), std::move(*run), settings);

        ProgressLine progress(stderr, [&] { return u"looked up %1 of %2 event IDs"_s.arg(reconciler.lookedUp()).arg(events); });
        QElapsedTimer waited;
        waited.start();
        Result<Reconciliation> report = ApiError::internal(u"not run"_s);
        while (true) {
            progress.start();
            report = waitFor<Reconciliation>([&](auto done) { reconciler.start(done); });
            progress.stop();
            if (!report)
                break;
            const bool mayArrive = report->missing > 0 && report->whereabouts != Reconciliation::Whereabouts::Lost;
            if (!mayArrive || waited.nsecsElapsed() / 1000 + RecheckMs * 1000 > options->waitMicros)
                break;
            sleepMs(RecheckMs);
        }
        if (!report) {
            printError(Command, report.error().message);
            return report.error().status == u"INVALID_ARGUMENT"_s ? ExitUsage : ExitFailure;
        }
        printWarnings(Command, report->warnings);
        const QByteArray out = options->json ? reconciliationJson(*report) : reconciliationText(*report);
        fwrite(out.constData(), 1, std::size_t(out.size()), stdout);
        fflush(stdout);
        return report->isComplete() ? ExitOk : ExitFailure;
    }
}
