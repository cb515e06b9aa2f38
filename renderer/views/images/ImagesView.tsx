import { EngineImages } from './EngineImages.js';
import { AnalysisForm } from './AnalysisForm.js';
import { JobsPanel } from './JobsPanel.js';
import { ReportsList } from './ReportsList.js';

export function ImagesView() {
  return (
    <div className="images-view">
      <div className="grid-2">
        <EngineImages />
        <AnalysisForm />
      </div>
      <JobsPanel />
      <ReportsList />
    </div>
  );
}
