#include "ui/publish/recordedruns.h"

#include <algorithm>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTimeZone>

using namespace Qt::Literals::StringLiterals;

namespace Aq::Ui::RecordedRuns
{
    namespace
    {
        const QString NameFormat = u"yyyy-MM-ddTHH-mm-ss.zzz"_s;
        const QString Suffix = u".ids"_s;

        // The time at the start of a run file's name, before "Z"; invalid for other files.
        QDateTime startOf(const QString &fileName)
        {
            const qsizetype zulu = fileName.indexOf(u'Z');
            if (zulu < 0)
                return {};
            QDateTime time = QDateTime::fromString(fileName.left(zulu), NameFormat);
            time.setTimeZone(QTimeZone::utc());
            return time;
        }
    }

    QString defaultFolder()
    {
        return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(u"runs"_s);
    }

    QString newRunPath(const QString &folder, const QDateTime &startedUtc)
    {
        const QString stem = startedUtc.toUTC().toString(NameFormat) + u'Z';
        const QDir dir(folder);
        QString path = dir.filePath(stem + Suffix);
        for (int n = 2; QFileInfo::exists(path); ++n)
            path = dir.filePath(u"%1-%2%3"_s.arg(stem).arg(n).arg(Suffix));
        return path;
    }

    QList<Run> list(const QString &folder)
    {
        QList<Run> runs;
        const QFileInfoList files = QDir(folder).entryInfoList({u"*"_s + Suffix}, QDir::Files);
        for (const QFileInfo &file : files) {
            const QDateTime started = startOf(file.fileName());
            if (started.isValid())
                runs.append({file.absoluteFilePath(), started, file.size()});
        }
        // A later run in the same millisecond has a longer name ("-2", "-10").
        std::sort(runs.begin(), runs.end(), [](const Run &a, const Run &b) {
            if (a.startedUtc != b.startedUtc)
                return a.startedUtc > b.startedUtc;
            if (a.path.size() != b.path.size())
                return a.path.size() > b.path.size();
            return a.path > b.path;
        });
        return runs;
    }

    void prune(const QString &folder, int keep)
    {
        const QList<Run> runs = list(folder);
        for (qsizetype i = keep; i < runs.size(); ++i)
            QFile::remove(runs[i].path);
    }
}
