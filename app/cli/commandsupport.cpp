#include "app/cli/commandsupport.h"

#include <cstdio>

#include <QCommandLineParser>
#include <QLoggingCategory>

using namespace Qt::Literals::StringLiterals;

namespace Aq::Cli
{
    void printError(const QString &command, const QString &message)
    {
        fprintf(stderr, "aqueduct %s: %s\n", qPrintable(command), qPrintable(message));
    }

    void printWarnings(const QString &command, const QStringList &warnings)
    {
        for (const QString &warning : warnings)
            fprintf(stderr, "aqueduct %s: warning: %s\n", qPrintable(command), qPrintable(warning));
    }

    Result<QStringList> parseCommandLine(QCommandLineParser &parser, const QString &command, const QStringList &arguments, QString *helpText)
    {
        const QCommandLineOption verbose(QStringList {u"v"_s, u"verbose"_s}, u"Log each request."_s);
        parser.addOption(verbose);
        Config::addProfileOptions(parser);
        if (helpText)
            *helpText = parser.helpText();
        if (!parser.parse(arguments))
            return ApiError::invalidArgument(parser.errorText() + u"; see --help"_s);
        if (parser.isSet(u"help"_s))
            return ApiError::invalidArgument(u"help"_s, u"help"_s);
        QLoggingCategory::setFilterRules(parser.isSet(verbose) ? u"aq.*.debug=true"_s : u"aq.*.info=false"_s);
        QStringList positional = parser.positionalArguments();
        if (!positional.isEmpty() && positional.first() == command)
            positional.removeFirst();
        return positional;
    }

    int reportParseFailure(const QString &command, const ApiError &error, const QString &helpText)
    {
        if (error.reason == u"help"_s) {
            fputs(qPrintable(helpText), stdout);
            return ExitOk;
        }
        printError(command, error.message);
        return ExitUsage;
    }

    Result<std::unique_ptr<Config::Connection>> openConnection(const Config::Profile &profile, Config::LocalBackendAccess *local)
    {
        return waitFor<std::unique_ptr<Config::Connection>>([&](auto done) { Config::Connection::open(profile, local, nullptr, done); });
    }

    int reportConnectionFailure(const QString &command, const ApiError &error)
    {
        printError(command, error.message);
        return error.status == u"FAILED_PRECONDITION"_s ? ExitFolderOwned : ExitFailure;
    }
}
