#include "app/cli/querycommand.h"

#include <cstdio>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>

#include "app/cli/commandsupport.h"
#include "app/cli/resultwriter.h"
#include "core/bigquery/bigqueryclient.h"
#include "core/bigquery/queryparameter.h"
#include "core/localcloud/localbackend.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Cli
{
    namespace
    {
        const QString Command = u"query"_s;

        struct QueryOptions
        {
            Config::Profile profile;
            BigQuery::QueryRequest request;
            ResultWriter::Format format = ResultWriter::Format::Table;
        };

        Result<QueryOptions> parseOptions(const QStringList &arguments, QString *helpText)
        {
            QCommandLineParser parser;
            parser.setApplicationDescription(
                u"Run a GoogleSQL query and write the result to stdout, a page at a time.\n\n"
                "Exit codes: 0 success; 1 the query or the connection failed; 2 bad flags; 3 the data folder is owned by a process "
                "that cannot be reached."_s);
            parser.addHelpOption();
            parser.addPositionalArgument(u"query"_s, u"The subcommand."_s, u"query"_s);
            parser.addPositionalArgument(u"sql"_s, u"The query, e.g. \"SELECT * FROM `aqueduct-local.analytics.events` LIMIT 10\"."_s, u"\"SQL\""_s);
            const QCommandLineOption format(u"format"_s, u"Output: table (default), json or csv."_s, u"table|json|csv"_s, u"table"_s);
            const QCommandLineOption param(u"param"_s, u"A named parameter, name:TYPE:value (repeatable), used as @name in the query."_s,
                                           u"name:TYPE:value"_s);
            const QCommandLineOption maxBytesBilled(u"max-bytes-billed"_s, u"Fail the query instead of billing more than this many bytes."_s, u"bytes"_s);
            const QCommandLineOption dryRun(u"dry-run"_s, u"Validate the query and report the bytes it would process; run nothing."_s);
            const QCommandLineOption pageSize(u"page-size"_s, u"Rows fetched per request (default 10000)."_s, u"rows"_s, u"10000"_s);
            parser.addOptions({format, param, maxBytesBilled, dryRun, pageSize});
            Result<QStringList> parsed = parseCommandLine(parser, Command, arguments, helpText);
            if (!parsed)
                return parsed.error();
            const QStringList &positional = *parsed;

            QueryOptions options;
            if (positional.size() != 1 || positional.first().trimmed().isEmpty())
                return ApiError::invalidArgument(u"give the query as one argument, in quotes: aqueduct query \"SELECT ...\""_s);
            options.request.sql = positional.first();

            const QString formatName = parser.value(format).toLower();
            if (formatName == u"table"_s)
                options.format = ResultWriter::Format::Table;
            else if (formatName == u"json"_s)
                options.format = ResultWriter::Format::Json;
            else if (formatName == u"csv"_s)
                options.format = ResultWriter::Format::Csv;
            else
                return ApiError::invalidArgument(u"--format %1: use table, json or csv"_s.arg(parser.value(format)));

            Result<QList<BigQuery::QueryParameter>> parameters = BigQuery::parseQueryParameters(parser.values(param));
            if (!parameters)
                return parameters.error();
            options.request.parameters = *parameters;
            if (parser.isSet(maxBytesBilled)) {
                bool ok = false;
                options.request.maximumBytesBilled = parser.value(maxBytesBilled).toLongLong(&ok);
                if (!ok || options.request.maximumBytesBilled <= 0)
                    return ApiError::invalidArgument(u"--max-bytes-billed %1: give a positive number of bytes"_s.arg(parser.value(maxBytesBilled)));
            }
            options.request.dryRun = parser.isSet(dryRun);
            bool ok = false;
            options.request.pageSize = parser.value(pageSize).toInt(&ok);
            if (!ok || options.request.pageSize < 1 || options.request.pageSize > 100000)
                return ApiError::invalidArgument(u"--page-size %1: give 1 to 100000 rows"_s.arg(parser.value(pageSize)));

            Config::ProfileInputs inputs {Config::profileOptionValues(parser), Config::ProfileInputs::processEnvironment()};
            Result<Config::Profile> profile = Config::resolveProfile(inputs);
            if (!profile)
                return profile.error();
            options.profile = std::move(*profile);
            return options;
        }
    }

    int runQuery(const QStringList &arguments)
    {
        QString helpText;
        Result<QueryOptions> options = parseOptions(arguments, &helpText);
        if (!options)
            return reportParseFailure(Command, options.error(), helpText);
        printWarnings(Command, options->profile.warnings);

        LocalCloud::LocalBackend local;
        Result<std::unique_ptr<Config::Connection>> connection = openConnection(options->profile, &local);
        if (!connection)
            return reportConnectionFailure(Command, connection.error());
        BigQuery::BigQueryClient *bigquery = (*connection)->bigquery();

        std::unique_ptr<ResultWriter> writer = ResultWriter::create(options->format, stdout);
        std::optional<ApiError> failure;
        qint64 written = 0;
        QEventLoop loop;
        // Each page is written while the next one is on its way; two pages at most are in memory.
        std::function<void(Result<BigQuery::QueryPage>)> onPage = [&](Result<BigQuery::QueryPage> page) {
            if (!page) {
                failure = page.error();
                loop.quit();
                return;
            }
            if (options->request.dryRun) {
                fprintf(stdout, "Query successfully validated. Assuming the tables are not modified, running this query will process %lld bytes of data.\n",
                        static_cast<long long>(page->totalBytesProcessed));
                loop.quit();
                return;
            }
            if (page->hasMore())
                bigquery->nextQueryPage(*page, options->request.pageSize, nullptr, onPage);
            writer->writePage(page->fields, page->rows);
            written += page->rows.size();
            if (!page->hasMore()) {
                if (page->dmlAffectedRows >= 0)
                    fprintf(stderr, "%lld rows affected\n", static_cast<long long>(page->dmlAffectedRows));
                loop.quit();
            }
        };
        bigquery->query(options->request, nullptr, onPage);
        loop.exec();
        if (failure) {
            // What was written stays valid up to the failure; the message says it stopped.
            fflush(stdout);
            printError(Command, written > 0 ? u"%1 (after %2 rows)"_s.arg(failure->message).arg(written) : failure->message);
            return ExitFailure;
        }
        if (!options->request.dryRun)
            writer->finish();
        fflush(stdout);
        return ExitOk;
    }
}
