import { ReviewList } from './ReviewList.js';
import { ExportPanel } from './ExportPanel.js';

export function ReviewView() {
  return (
    <div className="review-view">
      <ReviewList />
      <ExportPanel />
    </div>
  );
}
