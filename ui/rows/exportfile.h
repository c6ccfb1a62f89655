#pragma once

#include <memory>

#include <QByteArray>
#include <QString>

#include "core/common/result.h"

class QSaveFile;

namespace Aq::Ui
{
    // The file an export writes, through QSaveFile: it appears, complete, on commit(); a failure, discard() or the
    // destructor leave no file behind, and an existing file untouched. Errors name the file.
    class ExportFile
    {
    public:
        explicit ExportFile(QString path);
        ~ExportFile();

        Status open();
        Status write(const QByteArray &bytes);
        Status commit();
        void discard();

        bool isOpen() const { return m_file != nullptr; }
        const QString &path() const { return m_path; }

    private:
        Status failure();

        QString m_path;
        std::unique_ptr<QSaveFile> m_file;
    };
}
