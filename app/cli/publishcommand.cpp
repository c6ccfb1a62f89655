#include "app/cli/publishcommand.h"

#include <cstdio>
#include <deque>
#include <optional>
#include <set>

#include <QCommandLineParser>
#include <QEventLoop>
#include <QFile>
#include <QLocale>

#include "app/cli/commandsupport.h"
#include "app/cli/progressline.h"
#include "core/common/timeutil.h"
#include "core/common/unixsignalwatcher.h"
#include "core/localcloud/localbackend.h"
#include "core/pipeline/publishjob.h"
#include "core/pipeline/rowconverter.h"
#include "core/pubsub/publisher.h"
#include "core/pubsub/pubsubclient.h"
#include "core/reconcile/idsfilewriter.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Cli
{
    namespace
    {
        const QString Command = u"publish"_s;
        constexpr qint64 DefaultCount = 10;
        // Distinct publish errors printed as they happen; the summary counts the rest.
        constexpr int MaxErrorsShown = 5;

        struct PublishOptions
        {
            Config::Profile profile;
            Pipeline::PublishPlan plan;
            QString templateFile;
            std::optional<quint64> seed;
            bool validate = false;
            QString idsOut;
            bool createTopic = true;
        };

        Result<qint64> parseDurationFlag(const QString &flag, const QString &text)
        {
            const std::optional<qint64> micros = Time::parseHumanDuration(text);
            if (!micros || *micros <= 0)
                return ApiError::invalidArgument(u"--%1 %2: give a duration such as 500ms, 30s, 10m or 1h"_s.arg(flag, text));
            return *micros;
        }

        Result<PublishOptions> parseOptions(const QStringList &arguments, QString *helpText)
        {
            QCommandLineParser parser;
            parser.setApplicationDescription(
                u"Publish test events to the profile's topic (--topic, default events): the seeds' events (event_id, timestamp, "
                "event_type, user_id, event_data with page, browser, country, device, and amount and items for purchases), or "
                "a template's.\n\n"
                "Without --count or --duration it publishes 10 events. With --duration alone it publishes until the duration "
                "ends; with --every, a round of --count events (default 10) every interval until stopped or the duration ends. "
                "Ctrl-C (SIGINT) or SIGTERM stops it: what is in flight is flushed and the summary printed.\n\n"
                "Template placeholders (in JSON string values): {{uuid}}, {{now}} (RFC 3339 UTC), {{choice:a,b,c}}, "
                "{{int:MIN:MAX}}, {{float:MIN:MAX}} or {{float:MIN:MAX:DECIMALS}}, {{seq}} or {{seq:START}} (the event's "
                "number, from 1 or START). A string that is only an int, float or seq placeholder becomes a JSON number.\n\n"
                "--ids-out FILE: one line per published event, written as Pub/Sub confirms them: the message ID, a tab, "
                "the event ID (the event's key column, --key-column, default event_id; else its id; empty when it has "
                "neither). aqueduct verify reads it.\n\n"
                "A summary goes to stdout at the end: sent, failed, elapsed, rate, topic and seed. On a terminal a progress "
                "line on stderr shows sent, failed and the current rate.\n\n"
                "Exit codes: 0 every event was published; 1 some were not (or --validate refused them, or the topic or the "
                "connection failed); 2 bad flags, a bad template or schema; 3 the data folder is owned by a process that "
                "cannot be reached."_s);
            parser.addHelpOption();
            parser.addPositionalArgument(u"publish"_s, u"The subcommand."_s, u"publish"_s);
            const QCommandLineOption count(u"count"_s, u"Events to publish (per round with --every). Default 10."_s, u"n"_s);
            const QCommandLineOption rate(u"rate"_s, u"Messages per second, evenly spaced (default: as fast as the service takes them)."_s,
                                          u"msgs/s"_s);
            const QCommandLineOption duration(u"duration"_s, u"Stop after this long (500ms, 30s, 10m, 1h)."_s, u"duration"_s);
            const QCommandLineOption every(u"every"_s, u"Publish a round of --count events every interval, until stopped (as a Cloud Scheduler job does)."_s,
                                           u"interval"_s);
            const QCommandLineOption templateFile(u"template"_s, u"A JSON event template with placeholders (see above)."_s, u"file"_s);
            const QCommandLineOption attribute(u"attribute"_s, u"A message attribute, key=value (repeatable)."_s, u"key=value"_s);
            const QCommandLineOption orderingKey(u"ordering-key"_s, u"Publish every message with this ordering key (delivered in order)."_s, u"key"_s);
            const QCommandLineOption seed(u"seed"_s, u"Random seed: the same seed gives the same events, event IDs included (default: a random "
                                                     "one, printed in the summary)."_s,
                                          u"n"_s);
            const QCommandLineOption validate(u"validate"_s, u"Check every event against the table schema (--schema FILE, else the default "
                                                             "events schema) before sending; if one fails, send nothing."_s);
            const QCommandLineOption idsOut(u"ids-out"_s, u"Write the message and event IDs to this file (format above)."_s, u"file"_s);
            const QCommandLineOption noCreate(u"no-create"_s, u"Fail if the topic does not exist instead of creating it."_s);
            parser.addOptions({count, rate, duration, every, templateFile, attribute, orderingKey, seed, validate, idsOut, noCreate});
            Result<QStringList> parsed = parseCommandLine(parser, Command, arguments, helpText);
            if (!parsed)
                return parsed.error();
            const QStringList &positional = *parsed;
            if (!positional.isEmpty())
                return ApiError::invalidArgument(u"unexpected argument \"%1\"; publish takes only flags (see --help)"_s.arg(positional.first()));

            PublishOptions options;
            Pipeline::PublishPlan &plan = options.plan;
            if (parser.isSet(duration)) {
                Result<qint64> micros = parseDurationFlag(u"duration"_s, parser.value(duration));
                if (!micros)
                    return micros.error();
                plan.durationMicros = *micros;
            }
            if (parser.isSet(every)) {
                Result<qint64> micros = parseDurationFlag(u"every"_s, parser.value(every));
                if (!micros)
                    return micros.error();
                plan.everyMicros = *micros;
            }
            if (parser.isSet(count)) {
                bool ok = false;
                plan.count = parser.value(count).toLongLong(&ok);
                if (!ok || plan.count < 1)
                    return ApiError::invalidArgument(u"--count %1: give a positive number of events"_s.arg(parser.value(count)));
            } else {
                plan.count = plan.durationMicros > 0 && plan.everyMicros == 0 ? -1 : DefaultCount;
            }
            if (parser.isSet(rate)) {
                bool ok = false;
                plan.rate = parser.value(rate).toDouble(&ok);
                if (!ok || !(plan.rate > 0) || plan.rate > 1e7)
                    return ApiError::invalidArgument(u"--rate %1: give messages per second, more than 0 (e.g. 100 or 0.5)"_s.arg(parser.value(rate)));
            }
            for (const QString &value : parser.values(attribute)) {
                const qsizetype equals = value.indexOf(u'=');
                const QString key = value.left(equals);
                if (equals <= 0)
                    return ApiError::invalidArgument(u"--attribute %1: give key=value"_s.arg(value));
                if (key.startsWith(u"goog"_s))
                    return ApiError::invalidArgument(u"--attribute %1: keys starting with \"goog\" are reserved by Pub/Sub"_s.arg(value));
                if (plan.attributes.contains(key))
                    return ApiError::invalidArgument(u"--attribute %1: the key \"%2\" is given twice"_s.arg(value, key));
                plan.attributes.insert(key, value.mid(equals + 1));
            }
            if (parser.isSet(orderingKey)) {
                plan.orderingKey = parser.value(orderingKey);
                if (plan.orderingKey.isEmpty())
                    return ApiError::invalidArgument(u"--ordering-key: give a non-empty key"_s);
            }
            if (parser.isSet(seed)) {
                bool ok = false;
                options.seed = parser.value(seed).toULongLong(&ok);
                if (!ok)
                    return ApiError::invalidArgument(u"--seed %1: give a whole number from 0 to 18446744073709551615"_s.arg(parser.value(seed)));
            }
            options.templateFile = parser.value(templateFile);
            options.validate = parser.isSet(validate);
            options.idsOut = parser.value(idsOut);
            options.createTopic = !parser.isSet(noCreate);

            Config::ProfileInputs inputs {Config::profileOptionValues(parser), Config::ProfileInputs::processEnvironment()};
            inputs.services = Config::Services::PubSubOnly;
            Result<Config::Profile> profile = Config::resolveProfile(inputs);
            if (!profile)
                return profile.error();
            options.profile = std::move(*profile);
            return options;
        }

        // The fields whose value is an event's id: the key column, and "id" as the design allows for event_id.
        QStringList keyFields(const Config::Profile &profile)
        {
            QStringList fields {profile.keyColumn};
            if (profile.keyColumn == u"event_id"_s)
                fields.append(u"id"_s);
            return fields;
        }

        Result<Pipeline::PublishJob::Validator> makeValidator(const Config::Profile &profile)
        {
            BigQuery::TableSchema schema = Pipeline::RowConverter::defaultSchema();
            if (!profile.schemaFile.isEmpty()) {
                Result<BigQuery::TableSchema> read = BigQuery::readSchemaFile(profile.schemaFile);
                if (!read)
                    return read.error();
                schema = std::move(*read);
            }
            Pipeline::RowConverterOptions converterOptions;
            converterOptions.keyColumn = profile.keyColumn;
            auto converter = std::make_shared<Pipeline::RowConverter>(std::move(schema), converterOptions);
            return Pipeline::PublishJob::Validator([converter](const QByteArray &data) { return converter->validate(data); });
        }

        // The topic, created when missing (unless --no-create). Publishers on Google Cloud may lack the right to
        // read topics: then publishing itself tells whether the topic exists.
        Status ensureTopic(PubSub::PubSubClient *pubsub, const QString &topic, bool create, bool *created)
        {
            const Result<QString> found = waitFor<QString>([&](auto done) { pubsub->getTopic(topic, nullptr, done); });
            if (found || found.error().httpStatus == 403)
                return Ok {};
            if (found.error().httpStatus != 404)
                return ApiError::unavailable(u"cannot look up topic %1: %2"_s.arg(pubsub->topicPath(topic), found.error().message));
            if (!create)
                return ApiError::notFound(u"topic %1 does not exist; create it, or leave out --no-create"_s.arg(pubsub->topicPath(topic)));
            const Result<QString> made = waitFor<QString>([&](auto done) { pubsub->createTopic(topic, nullptr, done); });
            if (!made && made.error().httpStatus != 409)
                return ApiError::unavailable(u"cannot create topic %1: %2"_s.arg(pubsub->topicPath(topic), made.error().message));
            *created = bool(made);
            return Ok {};
        }

        QString number(double value, int decimals = 0)
        {
            return QLocale::c().toString(value, 'f', decimals);
        }

        QString rateText(qint64 events, qint64 micros)
        {
            if (micros <= 0)
                return u"0"_s;
            const double rate = double(events) * 1e6 / double(micros);
            return number(rate, rate < 10 ? 2 : (rate < 100 ? 1 : 0));
        }

        // Sent counts over the last second, for the progress line's current rate.
        class RateWindow
        {
        public:
            QString update(qint64 micros, qint64 sent)
            {
                m_samples.emplace_back(micros, sent);
                while (m_samples.size() > 2 && micros - m_samples[1].first >= 1'000'000)
                    m_samples.pop_front();
                const auto &[firstMicros, firstSent] = m_samples.front();
                return rateText(sent - firstSent, micros - firstMicros);
            }

        private:
            std::deque<std::pair<qint64, qint64>> m_samples;
        };
    }

    int runPublish(const QStringList &arguments)
    {
        QString helpText;
        Result<PublishOptions> options = parseOptions(arguments, &helpText);
        if (!options)
            return reportParseFailure(Command, options.error(), helpText);
        printWarnings(Command, options->profile.warnings);
        const Config::Profile &profile = options->profile;
        Pipeline::PublishPlan &plan = options->plan;

        const quint64 seed = options->seed ? *options->seed : Pipeline::EventRandom::randomSeed();
        std::optional<Pipeline::EventGenerator> generator;
        if (options->templateFile.isEmpty()) {
            generator.emplace(seed);
        } else {
            Result<Pipeline::EventTemplate> eventTemplate = Pipeline::EventTemplate::load(options->templateFile, keyFields(profile));
            if (!eventTemplate) {
                printError(Command, eventTemplate.error().message);
                return ExitUsage;
            }
            if (eventTemplate->keyField().isEmpty() && !options->idsOut.isEmpty()) {
                printWarnings(Command, {u"the template has no top-level %1 field, so --ids-out will have no event IDs"_s
                                            .arg(keyFields(profile).join(u" or "_s))});
            }
            generator.emplace(std::move(*eventTemplate), seed);
        }
        Pipeline::PublishJob::Validator validator;
        if (options->validate) {
            Result<Pipeline::PublishJob::Validator> made = makeValidator(profile);
            if (!made) {
                printError(Command, made.error().message);
                return ExitUsage;
            }
            validator = std::move(*made);
        }
        if (plan.everyMicros > 0 && plan.rate > 0 && double(plan.count) / plan.rate * 1e6 > double(plan.everyMicros)) {
            printWarnings(Command, {u"a round of %1 events at %2 msgs/s takes longer than --every; each round starts when the previous one has been sent"_s
                                        .arg(plan.count).arg(plan.rate)});
        }
        QFile idsFile(options->idsOut);
        if (!options->idsOut.isEmpty() && !idsFile.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            printError(Command, u"cannot write --ids-out %1: %2"_s.arg(options->idsOut, idsFile.errorString()));
            return ExitUsage;
        }

        LocalCloud::LocalBackend local;
        Result<std::unique_ptr<Config::Connection>> connection = openConnection(profile, &local);
        if (!connection)
            return reportConnectionFailure(Command, connection.error());
        PubSub::PubSubClient *pubsub = (*connection)->pubsub();
        const QString topicPath = pubsub->topicPath(profile.topic);
        bool created = false;
        if (Status topic = ensureTopic(pubsub, profile.topic, options->createTopic, &created); !topic) {
            printError(Command, topic.error().message);
            return ExitFailure;
        }
        if (created) {
            printWarnings(Command, {u"created topic %1; it has no subscription yet, and Pub/Sub keeps messages only for subscriptions "
                                    "(aqueduct serve creates %2)"_s.arg(topicPath, profile.subscription)});
        }

        PubSub::PublisherSettings settings;
        settings.maxMessages = 1000;
        settings.maxOutstandingMessages = 20000;
        settings.maxOutstandingBytes = 64 * 1024 * 1024;
        PubSub::Publisher publisher(pubsub, profile.topic, settings);
        Pipeline::PublishJob job(&publisher, std::move(*generator), plan);
        if (validator)
            job.setValidator(validator);

        RateWindow window;
        ProgressLine progress(stderr, [&] {
            return u"sent %1  failed %2  %3 msgs/s"_s.arg(number(double(job.sent())), number(double(job.failed())),
                                                           window.update(job.elapsedMicros(), job.sent()));
        });
        const auto report = [&](const QString &message) {
            progress.clear();
            printError(Command, message);
        };

        QTimer idsFlush;
        QObject::connect(&idsFlush, &QTimer::timeout, &job, [&] { idsFile.flush(); });
        if (idsFile.isOpen())
            idsFlush.start(200);   // lines reach the file as they come, not only at the end
        QObject::connect(&job, &Pipeline::PublishJob::published, &job, [&](qint64, const QString &messageId, const QByteArray &eventId) {
            if (idsFile.isOpen())
                idsFile.write(Reconcile::IdsFileWriter::line(messageId.toUtf8(), eventId));
        });
        std::set<QString> errorsShown;
        QObject::connect(&job, &Pipeline::PublishJob::publishFailed, &job, [&](qint64 eventNumber, const ApiError &error) {
            if (errorsShown.size() >= MaxErrorsShown || !errorsShown.insert(error.message).second)
                return;
            report(u"event %1 was not published: %2"_s.arg(eventNumber).arg(error.message));
        });
        QObject::connect(&job, &Pipeline::PublishJob::eventsInvalid, &job,
                         [&](const QList<Pipeline::InvalidEvent> &first, qint64 invalidCount, qint64 checked) {
            progress.clear();
            for (const Pipeline::InvalidEvent &event : first)
                printError(Command, u"event %1 does not match the table schema: %2"_s.arg(event.number).arg(event.reason));
            if (invalidCount > first.size())
                printError(Command, u"... and %1 more"_s.arg(invalidCount - first.size()));
            report(checked > 1 ? u"--validate: %1 of %2 events do not match the table schema; the run stops before sending them"_s.arg(invalidCount).arg(checked)
                               : u"--validate: the run stops at an event that does not match the table schema"_s);
        });

        QEventLoop loop;
        QObject::connect(&job, &Pipeline::PublishJob::finished, &loop, &QEventLoop::quit);
        int interrupts = 0;
        UnixSignalWatcher watcher;
        QObject::connect(&watcher, &UnixSignalWatcher::terminationRequested, &loop, [&](int) {
            if (++interrupts == 1) {
                job.stop();
                if (job.inFlight() > 0 && progress.isActive())
                    report(u"stopping: waiting for %1 messages in flight (again to quit at once)"_s.arg(job.inFlight()));
                return;
            }
            loop.quit();
        });
        job.start();
        progress.start();
        if (!job.isFinished())
            loop.exec();
        progress.stop();
        idsFile.close();

        const qint64 unanswered = job.isFinished() ? 0 : job.inFlight();
        const qint64 elapsed = job.elapsedMicros();
        QString summary = u"sent %1, failed %2, elapsed %3 s, rate %4 msgs/s; topic %5, seed %6"_s
                              .arg(job.sent())
                              .arg(job.failed())
                              .arg(number(double(elapsed) / 1e6, 2), rateText(job.sent(), elapsed), topicPath)
                              .arg(seed);
        if (unanswered > 0)
            summary += u"; %1 messages in flight were not answered before quitting"_s.arg(unanswered);
        fprintf(stdout, "%s\n", qPrintable(summary));
        fflush(stdout);
        return job.failed() > 0 || job.invalid() > 0 || unanswered > 0 ? ExitFailure : ExitOk;
    }
}
