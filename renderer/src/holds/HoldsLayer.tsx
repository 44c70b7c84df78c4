// The hold dialogs (4/8 part C), mounted once in the desk (App.tsx): the holds panel, the hold
// form and "Other stores". Each shows itself when the holds store says so.
import { HoldFormDialog } from './HoldForm.tsx';
import { HoldsPanel } from './HoldsPanel.tsx';
import { OtherStoresDialog } from './OtherStores.tsx';

export function HoldsLayer() {
  return (
    <>
      <HoldsPanel />
      <HoldFormDialog />
      <OtherStoresDialog />
    </>
  );
}
